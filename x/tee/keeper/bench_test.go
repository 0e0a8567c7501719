package keeper_test

import (
	"testing"

	storetypes "cosmossdk.io/store/types"
	"github.com/stretchr/testify/require"

	"github.com/fogchain/fog/testutil/calib"

	"github.com/fogchain/fog/testutil/snpfake"
	"github.com/fogchain/fog/testutil/tdxfake"
	"github.com/fogchain/fog/x/tee/types"
)

// BenchmarkSubmitAttestation is one MsgSubmitAttestation per TEE type through the message server
// (nonce and worker-key reads, verification, the record's write), timed alternately with a
// secp256k1 signature check in the same loop: "x-secp256k1" is their time ratio, from which
// params.verify_gas is derived (the SDK charges 1000 gas for that check).
func BenchmarkSubmitAttestation(b *testing.B) {
	e := newEnv(b)
	h := e.f.Height()
	p := e.f.NewProvider(b)
	bind := e.binding(b, p, h)
	evidence := map[types.TeeType][]byte{
		types.TeeTypeSevSnp:    e.snpEvidence(b, snpfake.Report{Measurement: measurement, ReportData: bind, TCB: tcb}),
		types.TeeTypeTdx:       e.tdxEvidence(b, tdxfake.Body{MrTd: measurement, ReportData: bind}),
		types.TeeTypeSimulated: e.simEvidence(b, bind, measurement, false),
	}
	for _, tt := range []types.TeeType{types.TeeTypeSevSnp, types.TeeTypeTdx, types.TeeTypeSimulated} {
		b.Run(tt.Short(), func(b *testing.B) {
			var gas uint64
			calib.VsSecp256k1(b, func() {
				ctx := e.f.Ctx.WithGasMeter(storetypes.NewInfiniteGasMeter())
				if _, err := e.msg.SubmitAttestation(ctx, &types.MsgSubmitAttestation{Provider: p.String(), TeeType: tt, Evidence: evidence[tt], NonceHeight: h, WorkerPubkey: e.registeredKey(p)}); err != nil {
					b.Fatal(err)
				}
				gas = ctx.GasMeter().GasConsumed()
			})
			b.ReportMetric(float64(gas), "gas/op")
			params, err := e.f.Tee.GetParams(e.f.Ctx)
			require.NoError(b, err)
			b.ReportMetric(float64(params.VerifyGas), "charge-gas")
		})
	}
}
