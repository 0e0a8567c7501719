package task_test

import (
	"context"
	"crypto/ed25519"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fogchain/fog/offchain/customer"
	"github.com/fogchain/fog/offchain/runtime/wasmtest"
	"github.com/fogchain/fog/offchain/task"
	"github.com/fogchain/fog/offchain/wire"
	markettypes "github.com/fogchain/fog/x/market/types"
)

// A server with UnsafeWrongOutput (fogd worker start --unsafe-wrong-output) cheats consistently: it
// returns a wrong output with a receipt, signed as usual, whose output hash is that wrong output's,
// so the customer's checks pass and only a re-execution (an audit) tells.
func TestUnsafeWrongOutput(t *testing.T) {
	e := newEnv(t, func(c *task.Config) { c.UnsafeWrongOutput = true })
	echo := wasmtest.Echo()
	e.lease(1, echo)
	for _, input := range [][]byte{[]byte("hello fog"), nil} {
		resp, err := e.send(1, echo, input, e.owner)
		require.NoError(t, err)
		require.NotEqual(t, input, resp.Output, "the output is wrong")
		require.Equal(t, task.WrongOutput(input), resp.Output)
		r := resp.Receipt.Receipt
		require.Equal(t, wire.Hash(resp.Output), r.OutputHash, "the receipt matches the wrong output")
		require.NoError(t, resp.Receipt.Verify(e.key.Public().(ed25519.PublicKey)), "signed as usual")
		lease := markettypes.Lease{Id: 1, Provider: e.provider}
		require.NoError(t, customer.CheckReceipt(*resp.Receipt, chainID, e.key.Public().(ed25519.PublicKey), lease, e.seq, echo, input, resp.Output),
			"the customer's checks cannot tell")

		// a re-execution as an audit makes it, under the same limits, disagrees with the receipt
		_, order, err := e.chain.LeaseAndOrder(context.Background(), 1)
		require.NoError(t, err)
		honest, err := e.rt.Run(context.Background(), echo, input, task.OrderLimits(e.cfg.Limits, order))
		require.NoError(t, err)
		require.Equal(t, wire.Hash(input), task.OutputHash(honest.Output))
		require.NotEqual(t, r.OutputHash, task.OutputHash(honest.Output))
	}
}

func TestWrongOutputNeverEqualsTheOutput(t *testing.T) {
	for _, out := range [][]byte{nil, {}, {0}, {0xff}, []byte("abc")} {
		wrong := task.WrongOutput(out)
		require.NotEqual(t, string(out), string(wrong))
		require.NotEqual(t, wire.Hash(out), wire.Hash(wrong))
	}
	out := []byte("abc")
	_ = task.WrongOutput(out)
	require.Equal(t, []byte("abc"), out, "the output given is not changed")
}
