// Package simfog holds what the fog modules' simulations (x/*/simulation) must agree on without
// importing each other: the worker identity a simulated account registers as a provider and binds
// in its attestations, and the helpers their message factories share.
package simfog

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
	"fmt"
	"math/rand"

	"cosmossdk.io/math"

	libp2pcrypto "github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/cosmos/cosmos-sdk/testutil/simsx"
	sdk "github.com/cosmos/cosmos-sdk/types"
)

// WorkerKey is the ed25519 worker key a simulated account registers as a provider: derived from its
// address, so that x/market's and x/tee's simulations name the same key without sharing state.
func WorkerKey(addr sdk.AccAddress) ed25519.PrivateKey {
	seed := sha256.Sum256(append([]byte("fog-sim-worker-v1"), addr...))
	return ed25519.NewKeyFromSeed(seed[:])
}

// WorkerPubkey is WorkerKey's public key.
func WorkerPubkey(addr sdk.AccAddress) []byte {
	return WorkerKey(addr).Public().(ed25519.PublicKey)
}

// PeerID is the libp2p peer id of the worker key, as a worker registers it.
func PeerID(addr sdk.AccAddress) string {
	pub, err := libp2pcrypto.UnmarshalEd25519PublicKey(WorkerPubkey(addr))
	if err != nil {
		panic(err)
	}
	id, err := peer.IDFromPublicKey(pub)
	if err != nil {
		panic(err)
	}
	return id.String()
}

// ExpectError is a delivery result handler for a message built to fail: it accepts exactly an
// error that wraps want, and fails the simulation on success or on any other error.
func ExpectError(want error) simsx.SimDeliveryResultHandler {
	return func(err error) error {
		switch {
		case err == nil:
			return fmt.Errorf("expected %q, but the message was accepted", want)
		case errors.Is(err, want):
			return nil
		default:
			return fmt.Errorf("expected %q, got: %w", want, err)
		}
	}
}

// Pick returns a random element of xs (the zero value if xs is empty).
func Pick[T any](r *simsx.XRand, xs []T) T {
	var zero T
	if len(xs) == 0 {
		return zero
	}
	return xs[r.Intn(len(xs))]
}

// Percent is true with probability p/100.
func Percent(r *simsx.XRand, p int) bool { return r.Intn(100) < p }

// Unauthorized sends a governance-only message (MsgUpdateParams with the current params, a circuit
// registration, ...), built by build, from an ordinary account instead of the governance authority,
// expecting want (the module's ErrInvalidAuthority).
func Unauthorized[T sdk.Msg](build func(ctx context.Context, authority string) (T, error), want error) *simsx.ResultHandlingSimMsgFactory[T] {
	return simsx.NewSimMsgFactoryWithDeliveryResultHandler(func(ctx context.Context, testData *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, T, simsx.SimDeliveryResultHandler) {
		var zero T
		acc := testData.AnyAccount(reporter)
		if reporter.IsSkipped() {
			return nil, zero, nil
		}
		msg, err := build(ctx, acc.AddressBech32)
		if err != nil {
			reporter.Skipf("params: %s", err)
			return nil, zero, nil
		}
		return []simsx.SimAccount{acc}, msg, ExpectError(want)
	})
}

// Dec draws a LegacyDec in [lo, hi] with the given number of decimals (hi − lo must fit an int64 in
// those units).
func Dec(r *rand.Rand, lo, hi math.LegacyDec, decimals int64) math.LegacyDec {
	unit := math.LegacyNewDecWithPrec(1, decimals)
	steps := hi.Sub(lo).Quo(unit).TruncateInt64()
	return lo.Add(unit.MulInt64(r.Int63n(steps + 1)))
}

// TeeCapable is whether a simulated account runs its worker in a (simulated) TEE: one account in
// sixteen, few enough that x/tee's attestation factory attests each of them every few dozen blocks;
// x/market's simulation registers them as providers often and sends them to TEE orders.
func TeeCapable(addr sdk.AccAddress) bool { return len(addr) > 0 && addr[0]%16 == 0 }
