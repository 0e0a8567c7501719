package keeper_test

import (
	"math"
	"testing"

	"cosmossdk.io/collections"
	errorsmod "cosmossdk.io/errors"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/fogchain/fog/testutil/paramsgen"
	"github.com/fogchain/fog/x/tee/types"
)

// drawEnclave draws a record the module could hold at height h (the rules genesis enforces).
func drawEnclave(t *rapid.T, provider string, h int64) types.Enclave {
	tt := rapid.SampledFrom([]types.TeeType{types.TeeTypeSevSnp, types.TeeTypeTdx, types.TeeTypeSimulated}).Draw(t, "tee_type")
	tcb := 8
	if tt == types.TeeTypeTdx {
		tcb = types.TdxTcbSvnSize
	}
	bytesN := func(n int, label string) []byte { return rapid.SliceOfN(rapid.Byte(), n, n).Draw(t, label) }
	attested := paramsgen.Int64(1, h).Draw(t, "attested_height")
	return types.Enclave{
		Provider: provider, TeeType: tt, Measurement: types.MeasurementHex(bytesN(types.MeasurementSize, "measurement")), PlatformIdHash: bytesN(32, "platform"),
		Tcb: bytesN(tcb, "tcb"), WorkerPubkey: bytesN(32, "worker key"), EvidenceHash: bytesN(32, "evidence hash"),
		AttestedHeight: attested,
		ExpiryHeight:   attested + paramsgen.Int64(0, types.MaxValidityBlocks).Draw(t, "validity"),
		NonceHeight:    paramsgen.Int64(max(1, attested-types.MaxNonceWindowBlocks+1), attested).Draw(t, "nonce_height"),
	}
}

// For every params governance can set (drawn from the validated ranges, their bounds included) and
// every state genesis accepts, BeginBlock (nonce recording and pruning), EndBlock (expiry reports),
// MsgSubmitAttestation with any input and the reads x/market makes never panic nor fail the block;
// every refusal is a registered error and changes nothing; and the state stays one genesis accepts,
// its expiry queue matching its records.
func TestBlockPathsAndRefusalsHoldForAllValidParams(t *testing.T) {
	base := newEnv(t)
	registered := base.f.NewProvider(t)
	gov := base.f.Tee.Authority()
	baseParams, err := base.f.Tee.GetParams(base.f.Ctx)
	require.NoError(t, err)

	rapid.Check(t, func(rt *rapid.T) {
		e := *base
		e.f = base.f.Fork()
		h := paramsgen.Int64(e.f.Height(), 1<<40).Draw(rt, "height")
		e.f.SetHeight(h)
		gs := types.GenesisState{Params: paramsgen.Tee(baseParams).Draw(rt, "params")}
		for i := rapid.IntRange(0, 3).Draw(rt, "records"); i > 0; i-- {
			addr := sdk.AccAddress(append([]byte{0xee, byte(i)}, make([]byte, 18)...))
			gs.Enclaves = append(gs.Enclaves, drawEnclave(rt, addr.String(), h))
		}
		for _, nh := range rapid.SliceOfNDistinct(paramsgen.Int64(max(1, h-gs.Params.NonceWindowBlocks+1), h), 0, 4, rapid.ID[int64]).Draw(rt, "nonce heights") {
			gs.Nonces = append(gs.Nonces, types.Nonce{Height: nh, Hash: bytesOf(byte(nh), 32)})
		}
		require.NoError(rt, gs.Validate(), "the drawn state is one genesis accepts")
		require.NoError(rt, e.f.Tee.InitGenesis(e.f.Ctx, &gs))
		e.block(t)

		providers := []string{registered.String(), base.f.NewAccount(t, 0).String(), "fog1nothing", ""}
		if len(gs.Enclaves) > 0 {
			providers[1] = gs.Enclaves[0].Provider
		}
		for step := rapid.IntRange(1, 12).Draw(rt, "steps"); step > 0; step-- {
			switch rapid.IntRange(0, 3).Draw(rt, "op") {
			case 0:
				require.NoError(rt, e.f.Tee.EndBlock(e.f.Ctx))
				e.f.SetHeight(e.f.Height() + paramsgen.Int64(1, 2*types.MaxNonceWindowBlocks).Draw(rt, "blocks"))
				if rapid.Bool().Draw(rt, "block hash") {
					e.block(t)
				} else {
					require.NoError(rt, e.f.Tee.BeginBlock(e.f.Ctx.WithHeaderHash(nil)))
				}
			case 1:
				p := paramsgen.Tee(baseParams).Draw(rt, "new params")
				_, err := e.msg.UpdateParams(e.f.Ctx, &types.MsgUpdateParams{Authority: gov, Params: p})
				require.NoError(rt, err)
			default:
				h := e.f.Height()
				msg := &types.MsgSubmitAttestation{
					Provider:     rapid.SampledFrom(providers).Draw(rt, "provider"),
					TeeType:      types.TeeType(rapid.Int32Range(-1, 5).Draw(rt, "tee_type")),
					NonceHeight:  rapid.SampledFrom([]int64{math.MinInt64, 0, 1, h - types.MaxNonceWindowBlocks, h - 1, h, h + 1, math.MaxInt64}).Draw(rt, "nonce_height"),
					Evidence:     rapid.SliceOfN(rapid.Byte(), 0, 2*types.DefaultMaxEvidenceBytes).Draw(rt, "evidence"),
					WorkerPubkey: rapid.SliceOfN(rapid.Byte(), 0, 40).Draw(rt, "worker key"),
				}
				if rapid.IntRange(0, 2).Draw(rt, "well formed") > 0 {
					// from the registered provider, bound to a recorded hash: the deep paths
					msg.Provider, msg.TeeType = registered.String(), rapid.SampledFrom([]types.TeeType{types.TeeTypeSimulated, types.TeeTypeSevSnp, types.TeeTypeTdx}).Draw(rt, "type")
					msg.WorkerPubkey = e.workerKey(t, registered)
					var heights []int64
					require.NoError(rt, e.f.Tee.Nonces.Walk(e.f.Ctx, nil, func(nh int64, _ []byte) (bool, error) {
						heights = append(heights, nh)
						return false, nil
					}))
					if len(heights) > 0 {
						msg.NonceHeight = rapid.SampledFrom(heights).Draw(rt, "recorded nonce")
						n, err := e.f.Tee.Nonces.Get(e.f.Ctx, msg.NonceHeight)
						require.NoError(rt, err)
						msg.Evidence = e.simEvidence(t, types.ReportData(registered, e.workerKey(t, registered), n), measurement, false)
					}
				}
				before := e.export(t)
				if _, err := e.msg.SubmitAttestation(e.f.Ctx, msg); err != nil {
					codespace, _, _ := errorsmod.ABCIInfo(err, false)
					require.Contains(rt, []string{types.ModuleName, "sdk"}, codespace, "a registered error: %v", err)
					require.Equal(rt, before, e.export(t), "a refusal changes nothing")
				}
			}
			for _, p := range providers[:2] {
				if addr, err := sdk.AccAddressFromBech32(p); err == nil {
					_, _ = e.f.Tee.ValidEnclave(e.f.Ctx, addr, types.TeeType(rapid.Int32Range(0, 3).Draw(rt, "wanted type")))
				}
			}
			_, err := e.q.Status(e.f.Ctx, &types.QueryStatusRequest{ExpiringWithinBlocks: rapid.SampledFrom([]int64{0, 1, math.MaxInt64}).Draw(rt, "within")})
			require.NoError(rt, err)

			now := e.export(t)
			require.NoError(rt, now.Validate(), "the state stays one genesis accepts")
			for _, enc := range now.Enclaves {
				addr := sdk.MustAccAddressFromBech32(enc.Provider)
				queued, err := e.f.Tee.ExpiryQueue.Has(e.f.Ctx, collections.Join(enc.ExpiryHeight, addr))
				require.NoError(rt, err)
				if enc.ExpiryHeight > e.f.Height() {
					require.True(rt, queued, "a valid record waits in the expiry queue")
				}
			}
		}
	})
}
