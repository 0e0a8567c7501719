package e2e

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"cosmossdk.io/depinject"
	"cosmossdk.io/log"

	"github.com/cosmos/cosmos-sdk/client"
	"github.com/cosmos/cosmos-sdk/codec"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	"github.com/cosmos/cosmos-sdk/crypto/keyring"
	sdk "github.com/cosmos/cosmos-sdk/types"
	authtx "github.com/cosmos/cosmos-sdk/x/auth/tx"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"

	fogapp "github.com/fogchain/fog/app"
	fogchain "github.com/fogchain/fog/offchain/chain"
	markettypes "github.com/fogchain/fog/x/market/types"
)

// clientContext is what the fogd CLI gives the worker: the app's codec and tx config.
func clientContext(t *testing.T) client.Context {
	var (
		cdc codec.Codec
		ir  codectypes.InterfaceRegistry
	)
	require.NoError(t, depinject.Inject(depinject.Configs(fogapp.AppConfig(), depinject.Supply(log.NewNopLogger())), &cdc, &ir))
	return client.Context{}.WithCodec(cdc).WithInterfaceRegistry(ir).WithTxConfig(authtx.NewTxConfig(cdc, authtx.DefaultSignModes))
}

// Another process using the same key makes the cached account sequence stale; the chain client reads
// it again and re-signs instead of failing. Failed transactions come back as the chain's registered
// errors.
func TestChainClientSequenceAndErrors(t *testing.T) {
	c := startChain(t, "alice", "bob")
	cctx := clientContext(t)
	kr, err := keyring.New(sdk.KeyringServiceName(), keyring.BackendTest, c.home, nil, cctx.Codec)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	newClient := func() *fogchain.Client {
		ch, err := fogchain.New(cctx, kr, fogchain.Config{RPC: c.rpc, GRPC: c.grpc, ChainID: chainID, KeyName: "alice", GasPrice: "0ufog"},
			nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
		require.NoError(t, err)
		require.NoError(t, ch.Start(ctx))
		t.Cleanup(ch.Stop)
		return ch
	}
	a, b := newClient(), newClient()
	bobStart := c.balance("bob")
	send := func(n int64) *banktypes.MsgSend {
		return &banktypes.MsgSend{FromAddress: c.addr("alice"), ToAddress: c.addr("bob"), Amount: sdk.NewCoins(sdk.NewInt64Coin(denom, n))}
	}
	steps := []struct {
		client *fogchain.Client
		amount int64
	}{
		{a, 1},
		{b, 2},
		// a signs with its stale sequence the very bytes b sent: "already in the mempool cache",
		// then a re-read of the sequence and a re-sign
		{a, 2},
		{a, 3},
		// b's cached sequence is stale: a wrong-sequence CheckTx error, then a re-read and a re-sign
		{b, 4},
	}
	for _, s := range steps {
		_, err := s.client.Broadcast(ctx, send(s.amount))
		require.NoError(t, err)
	}
	require.Equal(t, bobStart+1+2+2+3+4, c.balance("bob"))

	_, err = a.Broadcast(ctx, &markettypes.MsgCancelOrder{Owner: c.addr("alice"), OrderId: 42})
	require.True(t, errors.Is(err, markettypes.ErrOrderNotFound), "got %v", err)
	_, err = a.Broadcast(ctx, send(1)) // the failed transaction used its sequence
	require.NoError(t, err)

	// the block subscription delivers increasing heights, and carries on after the node restarts
	subCtx, stopSub := context.WithTimeout(context.Background(), 2*time.Minute)
	defer stopSub()
	heights := a.Heights(subCtx)
	first := <-heights
	second := <-heights
	require.Greater(t, second, first)
	c.stop()
	time.Sleep(time.Second)
	c.startNode()
	for h := range heights {
		if h > second+3 {
			return
		}
	}
	t.Fatal("no block after the node restarted")
}
