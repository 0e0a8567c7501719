package keeper_test

import (
	"crypto/sha256"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	sdk "github.com/cosmos/cosmos-sdk/types"
	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"

	"github.com/fogchain/fog/testutil/fixture"
	"github.com/fogchain/fog/x/proofs/keeper"
	"github.com/fogchain/fog/x/proofs/types"
	"github.com/fogchain/fog/zk/prover"
)

// ValidateBasic refuses in CheckTx each input the msg server refuses without reading state, with the
// same registered error; the rest of each message is valid, so the msg server would accept it.
func TestValidateBasicMatchesTheMsgServer(t *testing.T) {
	f := fixture.New(t)
	l := activeLease(t, f)
	rng := setup(t, "range")
	circuit, err := register(t, f, "range", rng.vk, 3)
	require.NoError(t, err)
	proof, inputs, err := prover.Prove("range", rng.pk, []byte(`{"value": 42, "salt": "12345", "lo": 10, "hi": 100}`))
	require.NoError(t, err)
	root := sha256.Sum256([]byte("root"))
	submitter := f.NewAccount(t, 0).String()
	mixed := strings.ToUpper(gov[:6]) + gov[6:]
	msg := keeper.NewMsgServerImpl(f.Proofs)

	anchor := func(mutate func(*types.MsgAnchorBatch)) sdk.Msg {
		m := &types.MsgAnchorBatch{Submitter: l.Provider, LeaseId: l.Id, Kind: types.BatchKindExecution, MerkleRoot: root[:], LeafCount: 4}
		mutate(m)
		return m
	}
	registerMsg := func(mutate func(*types.MsgRegisterCircuit)) sdk.Msg {
		m := &types.MsgRegisterCircuit{Authority: gov, Name: "another", VerifyingKey: rng.vk, PublicInputCount: 3}
		mutate(m)
		return m
	}
	verify := func(mutate func(*types.MsgVerifyProof)) sdk.Msg {
		m := &types.MsgVerifyProof{Submitter: submitter, CircuitId: circuit, PublicInputs: append([][]byte{}, inputs...), Proof: proof}
		mutate(m)
		return m
	}
	modulus := bytesOf(0xff, 32)
	for _, c := range []struct {
		name string
		msg  sdk.Msg
		want error
	}{
		{"anchor: submitter mixed case", anchor(func(m *types.MsgAnchorBatch) { m.Submitter = strings.ToUpper(m.Submitter[:6]) + m.Submitter[6:] }), sdkerrors.ErrInvalidAddress},
		{"anchor: lease 0", anchor(func(m *types.MsgAnchorBatch) { m.LeaseId = 0 }), types.ErrLeaseNotFound},
		{"anchor: kind unspecified", anchor(func(m *types.MsgAnchorBatch) { m.Kind = types.BatchKindUnspecified }), types.ErrInvalidKind},
		{"anchor: kind unknown", anchor(func(m *types.MsgAnchorBatch) { m.Kind = 9 }), types.ErrInvalidKind},
		{"anchor: root of 31 bytes", anchor(func(m *types.MsgAnchorBatch) { m.MerkleRoot = root[:31] }), types.ErrInvalidBatch},
		{"anchor: no root", anchor(func(m *types.MsgAnchorBatch) { m.MerkleRoot = nil }), types.ErrInvalidBatch},
		{"anchor: no leaves", anchor(func(m *types.MsgAnchorBatch) { m.LeafCount = 0 }), types.ErrInvalidBatch},
		{"anchor: more leaves than any params allow", anchor(func(m *types.MsgAnchorBatch) { m.LeafCount = types.MaxLeafCountLimit + 1 }), types.ErrInvalidBatch},
		{"register: authority mixed case", registerMsg(func(m *types.MsgRegisterCircuit) { m.Authority = mixed }), sdkerrors.ErrInvalidAddress},
		{"register: no name", registerMsg(func(m *types.MsgRegisterCircuit) { m.Name = "" }), types.ErrInvalidCircuit},
		{"register: description longer than any params allow", registerMsg(func(m *types.MsgRegisterCircuit) {
			m.Description = strings.Repeat("d", types.MaxDescriptionBytesLimit)
		}), types.ErrInvalidCircuit},
		{"register: no key", registerMsg(func(m *types.MsgRegisterCircuit) { m.VerifyingKey = nil }), types.ErrInvalidCircuit},
		{"register: key larger than any params allow", registerMsg(func(m *types.MsgRegisterCircuit) {
			m.VerifyingKey = make([]byte, types.MaxVerifyingKeyBytesLimit+1)
		}), types.ErrInvalidCircuit},
		{"register: no public input", registerMsg(func(m *types.MsgRegisterCircuit) { m.PublicInputCount = 0 }), types.ErrInvalidCircuit},
		{"register: more public inputs than any params allow", registerMsg(func(m *types.MsgRegisterCircuit) { m.PublicInputCount = types.MaxPublicInputsLimit + 1 }), types.ErrInvalidCircuit},
		{"deactivate: authority mixed case", &types.MsgDeactivateCircuit{Authority: mixed, CircuitId: circuit}, sdkerrors.ErrInvalidAddress},
		{"deactivate: circuit 0", &types.MsgDeactivateCircuit{Authority: gov}, types.ErrCircuitNotFound},
		{"verify: submitter empty", verify(func(m *types.MsgVerifyProof) { m.Submitter = "" }), sdkerrors.ErrInvalidAddress},
		{"verify: circuit 0", verify(func(m *types.MsgVerifyProof) { m.CircuitId = 0 }), types.ErrCircuitNotFound},
		{"verify: no proof", verify(func(m *types.MsgVerifyProof) { m.Proof = nil }), types.ErrMalformedProof},
		{"verify: proof larger than any params allow", verify(func(m *types.MsgVerifyProof) { m.Proof = make([]byte, types.MaxProofBytesLimit+1) }), types.ErrTooLarge},
		{"verify: no public inputs", verify(func(m *types.MsgVerifyProof) { m.PublicInputs = nil }), types.ErrMalformedProof},
		{"verify: more public inputs than any circuit", verify(func(m *types.MsgVerifyProof) {
			m.PublicInputs = make([][]byte, types.MaxPublicInputsLimit+1)
		}), types.ErrMalformedProof},
		{"verify: a public input of 31 bytes", verify(func(m *types.MsgVerifyProof) { m.PublicInputs[2] = m.PublicInputs[2][:31] }), types.ErrMalformedProof},
		{"verify: a public input above the field modulus", verify(func(m *types.MsgVerifyProof) { m.PublicInputs[2] = modulus }), types.ErrMalformedProof},
		{"params: authority mixed case", &types.MsgUpdateParams{Authority: mixed, Params: types.DefaultParams()}, sdkerrors.ErrInvalidAddress},
		{"params: out of bounds", &types.MsgUpdateParams{Authority: gov, Params: func() types.Params {
			p := types.DefaultParams()
			p.MaxWarmCircuits = types.MaxWarmCircuitsLimit + 1
			return p
		}()}, types.ErrInvalidParams},
	} {
		t.Run(c.name, func(t *testing.T) {
			require.ErrorIs(t, c.msg.(sdk.HasValidateBasic).ValidateBasic(), c.want)
			ctx, _ := f.Ctx.CacheContext()
			var err error
			switch m := c.msg.(type) {
			case *types.MsgAnchorBatch:
				_, err = msg.AnchorBatch(ctx, m)
			case *types.MsgRegisterCircuit:
				_, err = msg.RegisterCircuit(ctx, m)
			case *types.MsgDeactivateCircuit:
				_, err = msg.DeactivateCircuit(ctx, m)
			case *types.MsgVerifyProof:
				_, err = msg.VerifyProof(ctx, m)
			case *types.MsgUpdateParams:
				_, err = msg.UpdateParams(ctx, m)
			}
			require.ErrorIs(t, err, c.want, "the msg server refuses it with the same error")
		})
	}
	// the valid messages pass ValidateBasic, upper-case signers included
	for _, m := range []sdk.HasValidateBasic{
		anchor(func(m *types.MsgAnchorBatch) { m.Submitter = strings.ToUpper(m.Submitter) }).(sdk.HasValidateBasic),
		registerMsg(func(*types.MsgRegisterCircuit) {}).(sdk.HasValidateBasic),
		&types.MsgDeactivateCircuit{Authority: strings.ToUpper(gov), CircuitId: circuit},
		verify(func(*types.MsgVerifyProof) {}).(sdk.HasValidateBasic),
		&types.MsgUpdateParams{Authority: gov, Params: types.DefaultParams()},
	} {
		require.NoError(t, m.ValidateBasic())
	}
}
