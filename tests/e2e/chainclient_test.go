package e2e

import (
	"context"
	"encoding/json"
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

// newChainClient starts the worker's chain client for a key of the test keyring.
func (c *chain) newChainClient(t *testing.T, ctx context.Context, key string) *fogchain.Client {
	cctx := clientContext(t)
	kr, err := keyring.New(sdk.KeyringServiceName(), keyring.BackendTest, c.home, nil, cctx.Codec)
	require.NoError(t, err)
	ch, err := fogchain.New(cctx, kr, fogchain.Config{RPC: c.rpc, GRPC: c.grpc, ChainID: chainID, KeyName: key, GasPrice: "0ufog"},
		nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
	require.NoError(t, err)
	require.NoError(t, ch.Start(ctx))
	t.Cleanup(ch.Stop)
	return ch
}

// Another process using the same key makes the cached account sequence stale; the chain client reads
// it again and re-signs instead of failing. Failed transactions come back as the chain's registered
// errors.
func chainClientSequenceAndErrors(t *testing.T, c *chain) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	a, b := c.newChainClient(t, ctx, "c-alice"), c.newChainClient(t, ctx, "c-alice")
	bobStart := c.balance(t, "c-bob")
	send := func(n int64) *banktypes.MsgSend {
		return &banktypes.MsgSend{FromAddress: c.addr(t, "c-alice"), ToAddress: c.addr(t, "c-bob"), Amount: sdk.NewCoins(sdk.NewInt64Coin(denom, n))}
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
	require.Equal(t, bobStart+1+2+2+3+4, c.balance(t, "c-bob"))

	_, err := a.Broadcast(ctx, &markettypes.MsgCancelOrder{Owner: c.addr(t, "c-alice"), OrderId: 42_000})
	require.True(t, errors.Is(err, markettypes.ErrOrderNotFound), "got %v", err)
	_, err = a.Broadcast(ctx, send(1)) // the failed transaction used its sequence
	require.NoError(t, err)
}

// The block subscription starts with a resync, delivers increasing heights, and carries on after the
// node restarts.
func chainClientRidesOutANodeRestart(t *testing.T, c *chain) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	client := c.newChainClient(t, ctx, "c-alice")
	events := client.Subscribe(ctx, nil)
	first := <-events
	require.True(t, first.Resync, "a subscriber first reads the state")
	second := <-events
	require.Greater(t, second.Height, first.Height)
	c.stop()
	c.startNode(t)
	for ev := range events {
		if ev.Height > second.Height+3 {
			t.Logf("heights go on after the restart (websocket connections opened: %d)", client.Connections())
			return
		}
	}
	t.Fatal("no block after the node restarted")
}

// sequence is an account's sequence as the chain reports it: it moves with every transaction that
// reached a block, and with no transaction that CheckTx refused.
func (c *chain) sequence(t *testing.T, name string) string {
	var res struct {
		Account struct {
			Sequence string `json:"sequence"`
		} `json:"account"`
	}
	c.rest(t, "/cosmos/auth/v1beta1/accounts/"+c.addr(t, name), &res)
	return res.Account.Sequence
}

// What can be checked without state is checked before the block: a message with a malformed
// hash, a zero block count, a bad denom or an address of another chain is refused by CheckTx (a
// sync broadcast answers with the code and the reason, and the account's sequence does not move,
// so no block ever held it); the CLI refuses the same message before sending anything.
func badInputFailsBeforeTheBlock(t *testing.T, c *chain) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	user := c.newChainClient(t, ctx, "f-user")
	c.registerProviders(t, "f-provider")
	owner := c.addr(t, "f-user")
	order := func(mutate func(*markettypes.MsgCreateOrder)) *markettypes.MsgCreateOrder {
		m := &markettypes.MsgCreateOrder{Owner: owner, Resources: markettypes.Resources{CpuMillicores: 1000, MemoryMib: 256},
			Tier: markettypes.TierBronze, Privacy: markettypes.PrivacyPublic, WorkloadHash: make([]byte, 32), LeaseBlocks: 10,
			MaxPricePerBlock: sdk.NewInt64Coin(denom, 10), CommitBlocks: 40, RevealBlocks: 40}
		mutate(m)
		return m
	}
	for _, tc := range []struct {
		name string
		msg  sdk.Msg
		want error
	}{
		{"malformed workload hash", order(func(m *markettypes.MsgCreateOrder) { m.WorkloadHash = m.WorkloadHash[:31] }), markettypes.ErrInvalidWorkloadHash},
		{"zero lease blocks", order(func(m *markettypes.MsgCreateOrder) { m.LeaseBlocks = 0 }), markettypes.ErrBlocksOutOfBounds},
		{"malformed denom", order(func(m *markettypes.MsgCreateOrder) {
			m.MaxPricePerBlock = sdk.Coin{Denom: "f", Amount: m.MaxPricePerBlock.Amount}
		}),
			markettypes.ErrInvalidPrice},
		{"unknown SLA tier", order(func(m *markettypes.MsgCreateOrder) { m.Tier = 9 }), markettypes.ErrInvalidTier},
		{"malformed commitment", &markettypes.MsgCommitBid{Provider: owner, OrderId: 1, Commitment: []byte{1, 2, 3}}, markettypes.ErrInvalidCommitment},
		{"short salt", &markettypes.MsgRevealBid{Provider: owner, OrderId: 1, Price: sdk.NewInt64Coin(denom, 5), Salt: []byte{1}}, markettypes.ErrInvalidSalt},
		{"order id zero", &markettypes.MsgCancelOrder{Owner: owner, OrderId: 0}, markettypes.ErrInvalidID},
	} {
		before := c.sequence(t, "f-user")
		_, err := user.Broadcast(ctx, tc.msg)
		var txErr *fogchain.TxError
		require.True(t, errors.As(err, &txErr), "%s: got %v", tc.name, err)
		require.True(t, errors.Is(err, tc.want), "%s: got %v", tc.name, err)
		require.NotZero(t, txErr.Code)
		require.Equal(t, before, c.sequence(t, "f-user"), "%s: refused by CheckTx, never in a block", tc.name)
	}

	// the CLI refuses the same messages without its usage text: the hand-written commands before
	// sending anything (non-zero exit), the generated ones with CheckTx's answer (its code and reason,
	// as every SDK command prints a refused broadcast)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"market", "create-order", "f00d", "10ufog", "--lease-blocks", "10"}, "want 32 bytes"},
		{[]string{"market", "create-order", "f00dfeed00000000000000000000000000000000000000000000000000000000", "10ufog", "--lease-blocks", "0"}, "block count out of bounds"},
		{[]string{"market", "cancel-order", "0"}, "invalid id"},
	} {
		before := c.sequence(t, "f-user")
		stdout, stderr, err := run(append(append([]string{"tx"}, tc.args...), append([]string{"--from", "f-user", "--chain-id", chainID,
			"--node", c.rpc, "-y", "-o", "json"}, c.keyArgs()...)...)...)
		if err == nil {
			var res struct {
				Code   uint32 `json:"code"`
				RawLog string `json:"raw_log"`
			}
			require.NoError(t, json.Unmarshal([]byte(stdout), &res), stdout)
			require.NotZero(t, res.Code, "%v", tc.args)
		}
		require.Contains(t, stdout+stderr, tc.want, "%v", tc.args)
		require.NotContains(t, stdout+stderr, "Usage:", "%v: a refused message is no usage error", tc.args)
		require.Equal(t, before, c.sequence(t, "f-user"))
	}
	// a command called wrongly still shows how to call it
	stdout, stderr, err := run("tx", "market", "commit-bid", "--from", "f-user")
	require.Error(t, err)
	require.Contains(t, stdout+stderr, "Usage:")
}
