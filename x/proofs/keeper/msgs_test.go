package keeper_test

import (
	"crypto/sha256"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	addresscodec "github.com/cosmos/cosmos-sdk/codec/address"
	sdk "github.com/cosmos/cosmos-sdk/types"
	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"

	"github.com/fogchain/fog/testutil/fixture"
	"github.com/fogchain/fog/x/proofs/keeper"
	"github.com/fogchain/fog/x/proofs/types"
	"github.com/fogchain/fog/zk/prover"
)

// spelling is one way to write an account's address, and what the msg server must make of it.
type spelling struct {
	name string
	of   func(t *testing.T, addr string) string
	want error // nil: accepted, stored as the canonical spelling
}

var spellings = []spelling{
	{"lower case", func(_ *testing.T, a string) string { return a }, nil},
	{"upper case", func(_ *testing.T, a string) string { return strings.ToUpper(a) }, nil},
	{"mixed case", func(_ *testing.T, a string) string { return strings.ToUpper(a[:6]) + a[6:] }, sdkerrors.ErrInvalidAddress},
	{"foreign prefix", func(t *testing.T, a string) string {
		bz, err := sdk.AccAddressFromBech32(a)
		require.NoError(t, err)
		s, err := addresscodec.NewBech32Codec("cosmos").BytesToString(bz)
		require.NoError(t, err)
		return s
	}, sdkerrors.ErrInvalidAddress},
}

func exportProofs(t *testing.T, f *fixture.Fixture) *types.GenesisState {
	gs, err := f.Proofs.ExportGenesis(f.Ctx)
	require.NoError(t, err)
	return gs
}

// Every message of the module parses its signer with the keeper's address codec: an upper-case
// address is the same account (accepted, stored lower case); a mixed-case or foreign one is refused
// with ErrInvalidAddress naming the field, changing no state and moving no coins.
func TestAddressSpellingsOfEveryMessage(t *testing.T) {
	rng := setup(t, "range")
	proof, inputs, err := prover.Prove("range", rng.pk, []byte(`{"value": 42, "salt": "12345", "lo": 10, "hi": 100}`))
	require.NoError(t, err)
	root := sha256.Sum256([]byte("root"))

	// each case prepares what its message needs and returns the signer's canonical address, a send
	// of the message signed by a spelling of it, and a check of what an accepted message stored
	type prepared struct {
		signer string
		send   func(signer string) error
		check  func(t *testing.T)
	}
	for _, c := range []struct {
		msg     string
		field   string
		prepare func(t *testing.T, f *fixture.Fixture) prepared
	}{
		{"MsgAnchorBatch", "submitter", func(t *testing.T, f *fixture.Fixture) prepared {
			l := activeLease(t, f)
			return prepared{l.Provider, func(signer string) error {
				_, err := keeper.NewMsgServerImpl(f.Proofs).AnchorBatch(f.Ctx, &types.MsgAnchorBatch{
					Submitter: signer, LeaseId: l.Id, Kind: types.BatchKindExecution, MerkleRoot: root[:], LeafCount: 4})
				return err
			}, func(t *testing.T) {
				b, err := f.Proofs.Batches.Get(f.Ctx, 1)
				require.NoError(t, err)
				require.Equal(t, l.Provider, b.Submitter, "stored in the canonical spelling")
				bySubmitter, err := keeper.NewQueryServerImpl(f.Proofs).Batches(f.Ctx, &types.QueryBatchesRequest{Submitter: l.Provider})
				require.NoError(t, err)
				require.Len(t, bySubmitter.Batches, 1, "indexed by the submitter's bytes")
				ofLease, err := keeper.NewQueryServerImpl(f.Proofs).Batches(f.Ctx, &types.QueryBatchesRequest{LeaseId: l.Id, Submitter: strings.ToUpper(l.Provider)})
				require.NoError(t, err)
				require.Len(t, ofLease.Batches, 1, "the query compares the submitter as bytes")
			}}
		}},
		{"MsgRegisterCircuit", "authority", func(t *testing.T, f *fixture.Fixture) prepared {
			return prepared{gov, func(signer string) error {
				_, err := keeper.NewMsgServerImpl(f.Proofs).RegisterCircuit(f.Ctx, &types.MsgRegisterCircuit{
					Authority: signer, Name: "range", VerifyingKey: rng.vk, PublicInputCount: 3})
				return err
			}, func(t *testing.T) {
				_, err := f.Proofs.Circuits.Get(f.Ctx, 1)
				require.NoError(t, err)
			}}
		}},
		{"MsgDeactivateCircuit", "authority", func(t *testing.T, f *fixture.Fixture) prepared {
			id, err := register(t, f, "range", rng.vk, 3)
			require.NoError(t, err)
			return prepared{gov, func(signer string) error {
				_, err := keeper.NewMsgServerImpl(f.Proofs).DeactivateCircuit(f.Ctx, &types.MsgDeactivateCircuit{Authority: signer, CircuitId: id})
				return err
			}, func(t *testing.T) {
				c, err := f.Proofs.Circuits.Get(f.Ctx, id)
				require.NoError(t, err)
				require.False(t, c.Active)
			}}
		}},
		{"MsgVerifyProof", "submitter", func(t *testing.T, f *fixture.Fixture) prepared {
			id, err := register(t, f, "range", rng.vk, 3)
			require.NoError(t, err)
			submitter := f.NewAccount(t, 0).String()
			return prepared{submitter, func(signer string) error {
				_, err := keeper.NewMsgServerImpl(f.Proofs).VerifyProof(f.Ctx, &types.MsgVerifyProof{
					Submitter: signer, CircuitId: id, PublicInputs: inputs, Proof: proof})
				return err
			}, func(t *testing.T) {
				claim, err := f.Proofs.Claims.Get(f.Ctx, 1)
				require.NoError(t, err)
				require.Equal(t, submitter, claim.Submitter, "stored in the canonical spelling")
			}}
		}},
		{"MsgUpdateParams", "authority", func(t *testing.T, f *fixture.Fixture) prepared {
			p := types.DefaultParams()
			p.MaxLeafCount = 77
			return prepared{gov, func(signer string) error {
				_, err := keeper.NewMsgServerImpl(f.Proofs).UpdateParams(f.Ctx, &types.MsgUpdateParams{Authority: signer, Params: p})
				return err
			}, func(t *testing.T) {
				got, err := f.Proofs.Params.Get(f.Ctx)
				require.NoError(t, err)
				require.Equal(t, uint64(77), got.MaxLeafCount)
			}}
		}},
	} {
		for _, s := range spellings {
			t.Run(c.msg+"/"+s.name, func(t *testing.T) {
				f := fixture.New(t)
				m := c.prepare(t, f)
				before, snap := exportProofs(t, f), f.Snapshot(t)
				err := m.send(s.of(t, m.signer))
				if s.want != nil {
					require.ErrorIs(t, err, s.want)
					require.ErrorContains(t, err, c.field)
					require.Equal(t, before, exportProofs(t, f), "no state change")
					require.Equal(t, snap, f.Snapshot(t), "no coins moved")
					return
				}
				require.NoError(t, err)
				m.check(t)
			})
		}
	}
}
