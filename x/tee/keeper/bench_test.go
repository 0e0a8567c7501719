package keeper_test

import (
	"testing"
	"time"

	storetypes "cosmossdk.io/store/types"
	"github.com/stretchr/testify/require"

	"github.com/cosmos/cosmos-sdk/crypto/keys/secp256k1"

	"github.com/fogchain/fog/testutil/snpfake"
	"github.com/fogchain/fog/testutil/tdxfake"
	"github.com/fogchain/fog/x/tee/types"
)

// BenchmarkSubmitAttestation is one MsgSubmitAttestation per TEE type through the message server
// (nonce and worker-key reads, verification, the record's write), timed alternately with a
// secp256k1 signature check in the same loop: "x-secp256k1" is their time ratio, from which
// params.verify_gas is derived (the SDK charges 1000 gas for that check).
func BenchmarkSubmitAttestation(b *testing.B) {
	t := b
	e := newEnv(t)
	h := e.f.Height()
	p := e.f.NewProvider(b)
	bind := e.binding(t, p, h)
	evidence := map[types.TeeType][]byte{
		types.TeeTypeSevSnp:    e.snpEvidence(t, snpfake.Report{Measurement: measurement, ReportData: bind, TCB: tcb}),
		types.TeeTypeTdx:       e.tdxEvidence(t, tdxfake.Body{MrTd: measurement, ReportData: bind}),
		types.TeeTypeSimulated: e.simEvidence(t, bind, measurement, false),
	}
	priv := secp256k1.GenPrivKey()
	msg := []byte("fogd: a secp256k1 signature check of a sign doc of ordinary size")
	sig, err := priv.Sign(msg)
	require.NoError(b, err)
	pub := priv.PubKey()
	for _, tt := range []types.TeeType{types.TeeTypeSevSnp, types.TeeTypeTdx, types.TeeTypeSimulated} {
		b.Run(tt.Short(), func(b *testing.B) {
			var tv, ts time.Duration
			var gas uint64
			for b.Loop() {
				ctx := e.f.Ctx.WithGasMeter(storetypes.NewInfiniteGasMeter())
				t0 := time.Now()
				if _, err := e.msg.SubmitAttestation(ctx, &types.MsgSubmitAttestation{Provider: p.String(), TeeType: tt, Evidence: evidence[tt], NonceHeight: h}); err != nil {
					b.Fatal(err)
				}
				t1 := time.Now()
				if !pub.VerifySignature(msg, sig) {
					b.Fatal("signature rejected")
				}
				ts += time.Since(t1)
				tv += t1.Sub(t0)
				gas = ctx.GasMeter().GasConsumed()
			}
			b.ReportMetric(float64(tv)/float64(ts), "x-secp256k1")
			b.ReportMetric(float64(gas), "gas/op")
			params, err := e.f.Tee.Params.Get(e.f.Ctx)
			require.NoError(b, err)
			b.ReportMetric(float64(params.VerifyGas), "charge-gas")
		})
	}
}
