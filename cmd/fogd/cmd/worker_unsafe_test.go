package cmd

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cosmos/cosmos-sdk/client"
	"github.com/cosmos/cosmos-sdk/client/flags"

	"github.com/fogchain/fog/offchain/worker"
)

// --unsafe-inject-latency reaches the worker's config, which checks it before anything starts.
func TestWorkerStartUnsafeInjectLatencyFlag(t *testing.T) {
	home := t.TempDir()
	_, err := worker.WriteConfig(home, worker.DefaultConfig())
	require.NoError(t, err)
	cmd := workerStartCmd()
	cmd.Flags().String(flags.FlagHome, "", "") // a persistent flag of the root command
	cmd.SetContext(context.WithValue(context.Background(), client.ClientContextKey, &client.Context{}))
	var out bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&out)
	cmd.SetArgs([]string{"--home", home, "--unsafe-inject-latency", "-1s"})
	require.ErrorContains(t, cmd.Execute(), "--unsafe-inject-latency -1s: must not be negative")
}
