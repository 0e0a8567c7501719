// Package simulation is x/proofs' part of the app simulation (simsx): random params and a genesis
// that usually registers the range circuit, receipt batches anchored for the market's leases, real
// Groth16 proofs of the range circuit verified on chain, and circuit registration, deactivation and
// params through governance; each factory also sends deliberately invalid messages that must fail
// with the documented error.
package simulation

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"math/rand"
	"strings"
	"sync"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"

	"github.com/cosmos/cosmos-sdk/testutil/simsx"
	"github.com/cosmos/cosmos-sdk/types/module"

	"github.com/fogchain/fog/testutil/simfog"
	"github.com/fogchain/fog/x/proofs/keeper"
	"github.com/fogchain/fog/x/proofs/types"
	"github.com/fogchain/fog/zk/circuits"
	"github.com/fogchain/fog/zk/prover"
)

const (
	invalidPercent = 10
	// circuitPrefix names the circuits the simulation registers, all with the range circuit's key.
	circuitPrefix = "sim-range"
	proofCount    = 4
)

// rangeProof is a proof of the range circuit with its public inputs.
type rangeProof struct {
	proof  []byte
	inputs [][]byte
}

// rangeKeys holds one Groth16 setup of the range circuit and a few proofs for it, made once per
// process: the setup takes a while, and every simulation in the process shares the key (the same
// key in state keeps runs of one seed identical).
var rangeKeys = sync.OnceValues(func() ([]byte, []rangeProof) {
	pk, vk, err := prover.Setup(circuits.NameRange)
	if err != nil {
		panic(fmt.Errorf("proofs simulation: range circuit setup: %w", err))
	}
	proofs := make([]rangeProof, proofCount)
	for i := range proofs {
		var salt fr.Element
		salt.SetUint64(uint64(1000 + i))
		witness := fmt.Sprintf(`{"value": %d, "salt": "%s", "lo": %d, "hi": %d}`, 50+i, salt.String(), 10*i, 100+i)
		proof, inputs, err := prover.Prove(circuits.NameRange, pk, []byte(witness))
		if err != nil {
			panic(fmt.Errorf("proofs simulation: range proof: %w", err))
		}
		proofs[i] = rangeProof{proof, inputs}
	}
	return vk, proofs
})

// RangeVerifyingKey is the simulation's verifying key of the range circuit.
func RangeVerifyingKey() []byte { vk, _ := rangeKeys(); return vk }

// RandomParams draws params inside the ranges Params.Validate accepts, wide enough for the range
// circuit's key and proofs, with a warm set sometimes smaller than the registered circuits (so that
// verifications also pay the key load).
func RandomParams(r *rand.Rand) types.Params {
	p := types.DefaultParams()
	p.MaxLeafCount = 1 + uint64(r.Int63n(1<<20))
	p.MaxProofBytes = 1024 + uint32(r.Int63n(types.MaxProofBytesLimit-1024+1))
	p.MaxVerifyingKeyBytes = 64<<10 + uint32(r.Int63n(types.MaxVerifyingKeyBytesLimit-64<<10+1))
	p.MaxPublicInputs = 3 + uint32(r.Int63n(types.MaxPublicInputsLimit-3+1))
	p.VerifyGas = 1 + uint64(r.Int63n(20_000))
	p.VerifyGasPerInput = uint64(r.Int63n(500))
	p.KeyLoadGas = 1 + uint64(r.Int63n(20_000))
	p.KeyLoadGasPerInput = uint64(r.Int63n(500))
	p.MaxDescriptionBytes = 64 + uint32(r.Int63n(1024))
	p.MaxWarmCircuits = 1 + uint32(r.Int63n(4))
	if err := p.Validate(); err != nil {
		panic("proofs simulation drew invalid params: " + err.Error())
	}
	return p
}

// RandomizedGenState writes x/proofs' random genesis: random params and, usually, the range circuit
// (with the simulation's key) registered as circuit 1.
func RandomizedGenState(simState *module.SimulationState) {
	gs := types.DefaultGenesis()
	gs.Params = RandomParams(simState.Rand)
	if simState.Rand.Intn(5) != 0 {
		gs.Circuits = []types.Circuit{{Id: 1, Name: circuitPrefix, Description: "range circuit, simulation setup",
			VerifyingKey: RangeVerifyingKey(), PublicInputCount: 3, Active: true}}
		gs.NextCircuitId = 2
	}
	simState.GenState[types.ModuleName] = simState.Cdc.MustMarshalJSON(gs)
}

// Factories builds x/proofs' message factories. It remembers the highest lease id it has seen
// (lease ids are sequential), so that it finds the market's leases through the keeper's
// LeaseParties alone; one Factories serves one simulation run.
type Factories struct {
	k         keeper.Keeper
	lastLease uint64
}

// NewFactories returns x/proofs' factories over k.
func NewFactories(k keeper.Keeper) *Factories { return &Factories{k: k} }

// discoverLeases moves lastLease up to the newest lease the market has.
func (f *Factories) discoverLeases(ctx context.Context) {
	for {
		if _, _, err := f.k.LeaseParties(ctx, f.lastLease+1); err != nil {
			return
		}
		f.lastLease++
	}
}

// MsgAnchorBatchFactory anchors a random root for a lease the market has: an execution batch by its
// provider, or an audit or SLA batch by its provider or owner; invalid: an execution batch by the
// owner or any batch by a third account (ErrUnauthorized), an unknown lease (ErrLeaseNotFound), more
// leaves than the params allow (ErrInvalidBatch).
func (f *Factories) MsgAnchorBatchFactory() *simsx.ResultHandlingSimMsgFactory[*types.MsgAnchorBatch] {
	return simsx.NewSimMsgFactoryWithDeliveryResultHandler(func(ctx context.Context, testData *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgAnchorBatch, simsx.SimDeliveryResultHandler) {
		r := testData.Rand()
		p, err := f.k.Params.Get(ctx)
		if err != nil {
			reporter.Skipf("params: %s", err)
			return nil, nil, nil
		}
		f.discoverLeases(ctx)
		root := make([]byte, sha256.Size)
		_, _ = r.Read(root)
		msg := &types.MsgAnchorBatch{Kind: types.BatchKindExecution, MerkleRoot: root, LeafCount: 1 + uint64(r.Int63n(int64(min(p.MaxLeafCount, 1024))))}
		if f.lastLease == 0 || simfog.Percent(r, invalidPercent/2) {
			acc := testData.AnyAccount(reporter)
			if reporter.IsSkipped() {
				return nil, nil, nil
			}
			msg.Submitter, msg.LeaseId = acc.AddressBech32, f.lastLease+1+uint64(r.Intn(1000))
			return []simsx.SimAccount{acc}, msg, simfog.ExpectError(types.ErrLeaseNotFound)
		}
		msg.LeaseId = 1 + uint64(r.Int63n(int64(f.lastLease)))
		owner, provider, err := f.k.LeaseParties(ctx, msg.LeaseId)
		if err != nil {
			reporter.Skipf("lease %d: %s", msg.LeaseId, err)
			return nil, nil, nil
		}
		ownerAcc, providerAcc := testData.GetAccountbyAccAddr(reporter, owner), testData.GetAccountbyAccAddr(reporter, provider)
		if reporter.IsSkipped() {
			return nil, nil, nil
		}
		if simfog.Percent(r, invalidPercent) {
			switch r.Intn(3) {
			case 0:
				msg.Submitter = ownerAcc.AddressBech32
				return []simsx.SimAccount{ownerAcc}, msg, simfog.ExpectError(types.ErrUnauthorized)
			case 1:
				other := testData.AnyAccount(reporter, simsx.ExcludeAccounts(ownerAcc, providerAcc))
				if reporter.IsSkipped() {
					return nil, nil, nil
				}
				msg.Submitter, msg.Kind = other.AddressBech32, types.BatchKindAudit
				return []simsx.SimAccount{other}, msg, simfog.ExpectError(types.ErrUnauthorized)
			default:
				if p.MaxLeafCount < types.MaxLeafCountLimit {
					msg.Submitter, msg.LeafCount = providerAcc.AddressBech32, p.MaxLeafCount+1
					return []simsx.SimAccount{providerAcc}, msg, simfog.ExpectError(types.ErrInvalidBatch)
				}
			}
		}
		signer := providerAcc
		if simfog.Percent(r, 30) {
			msg.Kind = types.BatchKind(2 + r.Intn(2)) // audit or SLA
			if simfog.Percent(r, 50) {
				signer = ownerAcc
			}
		}
		msg.Submitter = signer.AddressBech32
		return []simsx.SimAccount{signer}, msg, nil
	})
}

// simCircuits lists the circuits registered with the simulation's range key, in id order.
func (f *Factories) simCircuits(ctx context.Context) []types.Circuit {
	vk := RangeVerifyingKey()
	var out []types.Circuit
	_ = f.k.Circuits.Walk(ctx, nil, func(_ uint64, c types.Circuit) (bool, error) {
		if strings.HasPrefix(c.Name, circuitPrefix) && bytes.Equal(c.VerifyingKey, vk) {
			out = append(out, c)
		}
		return false, nil
	})
	return out
}

// MsgVerifyProofFactory verifies a real Groth16 proof of the range circuit against a circuit
// registered with its key (ErrCircuitInactive once governance deactivated it); invalid: changed
// public inputs (ErrInvalidProof), a garbled proof (ErrMalformedProof) or an unknown circuit
// (ErrCircuitNotFound).
func (f *Factories) MsgVerifyProofFactory() *simsx.ResultHandlingSimMsgFactory[*types.MsgVerifyProof] {
	return simsx.NewSimMsgFactoryWithDeliveryResultHandler(func(ctx context.Context, testData *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgVerifyProof, simsx.SimDeliveryResultHandler) {
		r := testData.Rand()
		acc := testData.AnyAccount(reporter)
		if reporter.IsSkipped() {
			return nil, nil, nil
		}
		_, proofs := rangeKeys()
		pr := simfog.Pick(r, proofs)
		msg := &types.MsgVerifyProof{Submitter: acc.AddressBech32, Proof: pr.proof, PublicInputs: pr.inputs}
		registered := f.simCircuits(ctx)
		if len(registered) == 0 || simfog.Percent(r, invalidPercent/2) {
			next, err := f.k.CircuitSeq.Peek(ctx)
			if err != nil {
				reporter.Skipf("circuit sequence: %s", err)
				return nil, nil, nil
			}
			msg.CircuitId = next + uint64(r.Intn(100))
			return []simsx.SimAccount{acc}, msg, simfog.ExpectError(types.ErrCircuitNotFound)
		}
		c := simfog.Pick(r, registered)
		msg.CircuitId = c.Id
		if !c.Active {
			return []simsx.SimAccount{acc}, msg, simfog.ExpectError(types.ErrCircuitInactive)
		}
		if simfog.Percent(r, invalidPercent) {
			if simfog.Percent(r, 50) {
				// lo = 0 instead of what was proven
				msg.PublicInputs = [][]byte{pr.inputs[0], make([]byte, 32), pr.inputs[2]}
				if bytes.Equal(pr.inputs[1], msg.PublicInputs[1]) {
					msg.PublicInputs[1] = append(make([]byte, 31), 1)
				}
				return []simsx.SimAccount{acc}, msg, simfog.ExpectError(types.ErrInvalidProof)
			}
			msg.Proof = make([]byte, len(pr.proof))
			return []simsx.SimAccount{acc}, msg, simfog.ExpectError(types.ErrMalformedProof)
		}
		return []simsx.SimAccount{acc}, msg, nil
	})
}

// MsgRegisterCircuitFactory is a governance proposal registering the range key under a fresh name.
func MsgRegisterCircuitFactory() simsx.SimMsgFactoryFn[*types.MsgRegisterCircuit] {
	return func(_ context.Context, testData *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgRegisterCircuit) {
		return nil, &types.MsgRegisterCircuit{Authority: testData.ModuleAccountAddress(reporter, "gov"),
			Name: circuitPrefix + "-" + testData.Rand().StringN(8), Description: "range circuit, simulation setup",
			VerifyingKey: RangeVerifyingKey(), PublicInputCount: 3}
	}
}

// MsgDeactivateCircuitFactory is a governance proposal deactivating a registered circuit.
func (f *Factories) MsgDeactivateCircuitFactory() simsx.SimMsgFactoryFn[*types.MsgDeactivateCircuit] {
	return func(ctx context.Context, testData *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgDeactivateCircuit) {
		registered := f.simCircuits(ctx)
		if len(registered) == 0 {
			reporter.Skip("no circuit to deactivate")
			return nil, nil
		}
		return nil, &types.MsgDeactivateCircuit{Authority: testData.ModuleAccountAddress(reporter, "gov"), CircuitId: simfog.Pick(testData.Rand(), registered).Id}
	}
}

// MsgRegisterCircuitUnauthorizedFactory registers a circuit from an ordinary account, expecting
// ErrInvalidAuthority.
func MsgRegisterCircuitUnauthorizedFactory() *simsx.ResultHandlingSimMsgFactory[*types.MsgRegisterCircuit] {
	return simfog.Unauthorized(func(_ context.Context, authority string) (*types.MsgRegisterCircuit, error) {
		return &types.MsgRegisterCircuit{Authority: authority, Name: circuitPrefix + "-rogue", VerifyingKey: RangeVerifyingKey(), PublicInputCount: 3}, nil
	}, types.ErrInvalidAuthority)
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
		p, err := k.Params.Get(ctx)
		return &types.MsgUpdateParams{Authority: authority, Params: p}, err
	}, types.ErrInvalidAuthority)
}
