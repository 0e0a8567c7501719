// Package simulation is x/tee's part of the app simulation (simsx): a random genesis that trusts a
// simulated root and allows its measurement (when allow_simulated is drawn), attestations made with
// that root for the accounts that run simulated TEEs, valid most of the time and deliberately invalid
// the rest, and random params through governance.
package simulation

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"math/rand"
	"sync"
	"time"

	"cosmossdk.io/collections"

	"github.com/cosmos/cosmos-sdk/testutil/simsx"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/module"

	"github.com/fogchain/fog/testutil/simfog"
	"github.com/fogchain/fog/x/tee/keeper"
	"github.com/fogchain/fog/x/tee/simtee"
	"github.com/fogchain/fog/x/tee/types"
)

const invalidPercent = 10

// The simulated platform: one root, one approved enclave build.
var (
	rootOnce sync.Once
	root     simtee.Root
	// Measurement is the simulated enclave's launch measurement, on the allowlist of random genesis.
	Measurement = func() []byte { m := sha512.Sum384([]byte("fog-sim-enclave-v1")); return m[:] }()
)

// Root is the simulated root random genesis trusts.
func Root() simtee.Root {
	rootOnce.Do(func() {
		seed := sha256.Sum256([]byte("fog-sim-tee-root-v1"))
		var err error
		if root, err = simtee.NewRoot(seed[:]); err != nil {
			panic(err)
		}
	})
	return root
}

// device is the simulated platform of an account, certified by Root for two centuries.
func device(addr []byte) *simtee.Device {
	seed := sha256.Sum256(append([]byte("fog-sim-tee-device-v1"), addr...))
	d, err := Root().NewDevice(seed[:], time.Unix(946_684_800, 0), time.Unix(7_258_118_400, 0), 1)
	if err != nil {
		panic(err)
	}
	return d
}

// RandomParams draws params inside the ranges Params.Validate accepts: the default vendor roots plus
// the simulated root, the simulated measurement allowed (usually), simulated TEEs allowed (usually),
// short validity (so that records expire during a run), and a nonce window that is usually wide
// enough to keep genesis's block hashes (the simulator's blocks carry no hash for x/tee to record).
func RandomParams(r *rand.Rand) types.Params {
	p := types.DefaultParams()
	p.SimulatedRoots = [][]byte{Root().Public()}
	if r.Intn(10) != 0 {
		p.AllowedMeasurements = append(p.AllowedMeasurements, types.Measurement{TeeType: types.TeeTypeSimulated,
			Value: types.MeasurementHex(Measurement), Description: "simulated enclave"})
	}
	p.AllowSimulated = r.Intn(8) != 0
	p.ValidityBlocks = 5 + r.Int63n(300)
	if r.Intn(5) == 0 {
		p.NonceWindowBlocks = 1 + r.Int63n(50)
	} else {
		p.NonceWindowBlocks = 2000 + r.Int63n(types.MaxNonceWindowBlocks-2000+1)
	}
	p.VerifyGas = 1 + uint64(r.Int63n(100_000))
	p.MaxEvidenceBytes = 1024 + uint32(r.Int63n(types.MaxEvidenceBytesLimit-1024+1))
	if err := p.Validate(); err != nil {
		panic("tee simulation drew invalid params: " + err.Error())
	}
	return p
}

// RandomizedGenState writes x/tee's random genesis: random params and the block hash of height 1,
// which attestations bind as their nonce while the window keeps it (the simulator's blocks carry no
// hash for BeginBlock to record).
func RandomizedGenState(simState *module.SimulationState) {
	gs := types.DefaultGenesis()
	gs.Params = RandomParams(simState.Rand)
	hash := make([]byte, 32)
	_, _ = simState.Rand.Read(hash)
	gs.Nonces = []types.Nonce{{Height: 1, Hash: hash}}
	simState.GenState[types.ModuleName] = simState.Cdc.MustMarshalJSON(gs)
}

// MsgSubmitAttestationFactory attests a TEE-capable account's worker key (simfog.WorkerPubkey) with
// simulated evidence from Root, bound to a recorded block hash. The expected outcome follows the
// params (ErrSimulatedNotAllowed, ErrNonce when no hash is left in the window, ErrMeasurement when the
// measurement left the allowlist, ErrUntrustedChain when the root did) and the pin of active TEE
// leases; invalid: a debug report (ErrDebug), another measurement (ErrMeasurement), evidence bound to
// another key (ErrBinding), a nonce height with no recorded hash (ErrNonce), or a new worker key while
// TEE leases pin the old one (ErrPinned).
func MsgSubmitAttestationFactory(k keeper.Keeper) *simsx.ResultHandlingSimMsgFactory[*types.MsgSubmitAttestation] {
	return simsx.NewSimMsgFactoryWithDeliveryResultHandler(func(ctx context.Context, testData *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgSubmitAttestation, simsx.SimDeliveryResultHandler) {
		r := testData.Rand()
		h := heightOf(ctx)
		p, err := k.GetParams(ctx)
		if err != nil {
			reporter.Skipf("params: %s", err)
			return nil, nil, nil
		}
		acc := testData.AnyAccountN(100, reporter, simsx.SimAccountFilterFn(func(a simsx.SimAccount) bool { return simfog.TeeCapable(a.Address) }))
		if reporter.IsSkipped() {
			return nil, nil, nil
		}
		var nonceHeight int64
		var nonce []byte
		_ = k.Nonces.Walk(ctx, new(collections.Range[int64]).StartExclusive(h-p.NonceWindowBlocks).EndInclusive(h), func(height int64, hash []byte) (bool, error) {
			nonceHeight, nonce = height, hash
			return false, nil
		})
		workerKey := simfog.WorkerPubkey(acc.Address)
		measurement, debug, boundKey := Measurement, false, workerKey
		msg := &types.MsgSubmitAttestation{Provider: acc.AddressBech32, TeeType: types.TeeTypeSimulated, NonceHeight: nonceHeight, WorkerPubkey: workerKey}
		var want error
		if simfog.Percent(r, invalidPercent) {
			switch r.Intn(5) {
			case 0:
				debug, want = true, types.ErrDebug
			case 1:
				other := sha512.Sum384([]byte("an enclave nobody approved"))
				measurement, want = other[:], types.ErrMeasurement
			case 2:
				boundKey, want = bytes.Repeat([]byte{7}, len(workerKey)), types.ErrBinding
			case 3:
				// the simulator's blocks record no hash: the current height has none (unless genesis gave it one)
				if has, err := k.Nonces.Has(ctx, h); err == nil && !has {
					nonceHeight, want = h, types.ErrNonce
				}
			default:
				if old, err := k.Enclaves.Get(ctx, acc.Address); err == nil {
					if leases, _ := k.ActiveTeeLeases(ctx, acc.Address); len(leases) > 0 {
						other := sha256.Sum256(old.WorkerPubkey)
						msg.WorkerPubkey, boundKey, want = other[:], other[:], types.ErrPinned
					}
				}
			}
		}
		msg.NonceHeight = nonceHeight
		evidence, err := device(acc.Address).Evidence(measurement, types.ReportData(acc.Address, boundKey, nonce), debug)
		if err != nil {
			reporter.Skipf("evidence: %s", err)
			return nil, nil, nil
		}
		msg.Evidence = evidence
		// the msg server's checks that come before the one the message was built to fail, in its order
		measurementAllowed := p.Allowed(types.TeeTypeSimulated, types.MeasurementHex(Measurement))
		switch {
		case nonceHeight == 0:
			// no hash left in the window: height 0, which ValidateBasic refuses
			want = types.ErrNonce
		case !p.AllowSimulated:
			want = types.ErrSimulatedNotAllowed
		case len(evidence) > int(p.MaxEvidenceBytes):
			want = types.ErrTooLarge
		case want == types.ErrNonce || want == types.ErrPinned:
		case !containsRoot(p.SimulatedRoots, Root().Public()):
			want = types.ErrUntrustedChain
		case !measurementAllowed && (want == nil || want == types.ErrBinding):
			want = types.ErrMeasurement
		}
		if want != nil {
			return []simsx.SimAccount{acc}, msg, simfog.ExpectError(want)
		}
		return []simsx.SimAccount{acc}, msg, nil
	})
}

func containsRoot(roots [][]byte, root []byte) bool {
	for _, r := range roots {
		if bytes.Equal(r, root) {
			return true
		}
	}
	return false
}

// MsgUpdateParamsFactory is a governance proposal that sets random valid params.
func MsgUpdateParamsFactory() simsx.SimMsgFactoryFn[*types.MsgUpdateParams] {
	return func(_ context.Context, testData *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgUpdateParams) {
		return nil, &types.MsgUpdateParams{Authority: testData.ModuleAccountAddress(reporter, "gov"), Params: RandomParams(testData.Rand().Rand)}
	}
}

// MsgUpdateParamsUnauthorizedFactory sends MsgUpdateParams from an ordinary account, expecting
// ErrInvalidAuthority.
func MsgUpdateParamsUnauthorizedFactory(k keeper.Keeper) *simsx.ResultHandlingSimMsgFactory[*types.MsgUpdateParams] {
	return simfog.Unauthorized(func(ctx context.Context, authority string) (*types.MsgUpdateParams, error) {
		p, err := k.GetParams(ctx)
		return &types.MsgUpdateParams{Authority: authority, Params: p}, err
	}, types.ErrInvalidAuthority)
}

func heightOf(ctx context.Context) int64 { return sdk.UnwrapSDKContext(ctx).BlockHeight() }
