package task_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/fogchain/fog/offchain/runtime/wasmtest"
	"github.com/fogchain/fog/offchain/task"
)

// A worker with an injected latency (--unsafe-inject-latency) answers each task no sooner than that.
func TestInjectedLatencyDelaysTaskAnswers(t *testing.T) {
	const delay = 200 * time.Millisecond
	e := newEnv(t, func(c *task.Config) { c.InjectLatency = delay })
	echo := wasmtest.Echo()
	e.lease(1, echo)
	start := time.Now()
	resp, err := e.send(1, echo, []byte("slow"), e.owner)
	require.NoError(t, err)
	require.Equal(t, []byte("slow"), resp.Output)
	require.GreaterOrEqual(t, time.Since(start), delay)

	// a refusal is delayed as well
	start = time.Now()
	_, err = e.send(2, echo, nil, e.owner)
	require.Error(t, err)
	require.GreaterOrEqual(t, time.Since(start), delay)
}
