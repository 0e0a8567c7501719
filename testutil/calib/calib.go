// Package calib prices an operation in gas as the SDK prices signatures: by timing it against a
// secp256k1 signature check (DefaultSigVerifyCostSecp256k1 = 1000 gas) in benchmarks.
package calib

import (
	"testing"
	"time"

	"github.com/cosmos/cosmos-sdk/crypto/keys/secp256k1"
)

// Secp256k1Check returns one secp256k1 signature check of an ordinary sign doc, as the SDK's ante
// handler runs for every signature.
func Secp256k1Check(tb testing.TB) func() {
	tb.Helper()
	priv := secp256k1.GenPrivKey()
	pub := priv.PubKey()
	msg := []byte("fogd: calibrate gas against a secp256k1 signature check of a sign doc of ordinary size")
	sig, err := priv.Sign(msg)
	if err != nil {
		tb.Fatal(err)
	}
	return func() {
		if !pub.VerifySignature(msg, sig) {
			tb.Fatal("signature rejected")
		}
	}
}

// VsSecp256k1 runs op and then one secp256k1 check in every iteration of b's loop, timing each, and
// reports their time ratio as the metric "x-secp256k1". Timing both alternately in one loop keeps
// the ratio steady when a shared machine's load drifts, which two separate benchmarks do not.
func VsSecp256k1(b *testing.B, op func()) {
	check := Secp256k1Check(b)
	var top, tcheck time.Duration
	for b.Loop() {
		t0 := time.Now()
		op()
		t1 := time.Now()
		check()
		tcheck += time.Since(t1)
		top += t1.Sub(t0)
	}
	b.ReportMetric(float64(top)/float64(tcheck), "x-secp256k1")
}
