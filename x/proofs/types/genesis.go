package types

import (
	"crypto/sha256"
	"fmt"

	errorsmod "cosmossdk.io/errors"

	"github.com/fogchain/fog/internal/accaddr"
)

// DefaultGenesis has default params and nothing anchored or registered.
func DefaultGenesis() *GenesisState {
	return &GenesisState{Params: DefaultParams(), NextBatchId: 1, NextCircuitId: 1, NextClaimId: 1}
}

// Validate refuses any state the module could not have produced, naming the field; failures wrap
// ErrInvalidGenesis (ErrInvalidParams for params). Records are checked against the widest bounds any
// params allow, not the current params: governance may have lowered a bound after a record was made.
// keeper.ValidateGenesis also parses the circuits' verifying keys.
func (gs GenesisState) Validate() error {
	if err := gs.Params.Validate(); err != nil {
		return err
	}
	fail := func(format string, args ...any) error { return errorsmod.Wrapf(ErrInvalidGenesis, format, args...) }
	ac := accaddr.Codec()
	// ids start at 1 and the sequences are above every id
	for _, s := range []struct {
		name string
		next uint64
	}{{"next_batch_id", gs.NextBatchId}, {"next_circuit_id", gs.NextCircuitId}, {"next_claim_id", gs.NextClaimId}} {
		if s.next == 0 {
			return fail("%s is 0: ids start at 1", s.name)
		}
	}
	batches := make(map[uint64]bool, len(gs.Batches))
	for i, b := range gs.Batches {
		field := func(name string) string { return fmt.Sprintf("batches[%d].%s", i, name) }
		switch {
		case b.Id == 0 || b.Id >= gs.NextBatchId:
			return fail("%s %d not in [1, next_batch_id %d)", field("id"), b.Id, gs.NextBatchId)
		case batches[b.Id]:
			return fail("%s %d repeated", field("id"), b.Id)
		case b.LeaseId == 0:
			return fail("%s is 0: lease ids start at 1", field("lease_id"))
		case b.Kind < BatchKindExecution || b.Kind > BatchKindSLA:
			return fail("%s %d is not a batch kind", field("kind"), b.Kind)
		case len(b.MerkleRoot) != sha256.Size:
			return fail("%s is %d bytes, want %d", field("merkle_root"), len(b.MerkleRoot), sha256.Size)
		case b.LeafCount == 0 || b.LeafCount > MaxLeafCountLimit:
			return fail("%s %d not in [1, %d]", field("leaf_count"), b.LeafCount, uint64(MaxLeafCountLimit))
		case b.Height < 1:
			return fail("%s %d: batches are anchored by transactions, at height 1 or later", field("height"), b.Height)
		}
		if _, err := accaddr.ParseCanonical(ac, field("submitter"), b.Submitter); err != nil {
			return errorsmod.Wrap(ErrInvalidGenesis, err.Error())
		}
		batches[b.Id] = true
	}
	circuits := make(map[uint64]Circuit, len(gs.Circuits))
	names := make(map[string]bool, len(gs.Circuits))
	for i, c := range gs.Circuits {
		field := func(name string) string { return fmt.Sprintf("circuits[%d].%s", i, name) }
		switch {
		case c.Id == 0 || c.Id >= gs.NextCircuitId:
			return fail("%s %d not in [1, next_circuit_id %d)", field("id"), c.Id, gs.NextCircuitId)
		case circuits[c.Id].Id != 0:
			return fail("%s %d repeated", field("id"), c.Id)
		case names[c.Name]:
			return fail("%s %q repeated", field("name"), c.Name)
		case c.RegisteredHeight < 0:
			return fail("%s %d is negative", field("registered_height"), c.RegisteredHeight)
		}
		if err := validateCircuitFields(c.Name, c.Description, c.VerifyingKey, c.PublicInputCount); err != nil {
			return errorsmod.Wrapf(ErrInvalidGenesis, "circuits[%d].%s", i, err)
		}
		circuits[c.Id], names[c.Name] = c, true
	}
	claims := make(map[uint64]bool, len(gs.Claims))
	for i, c := range gs.Claims {
		field := func(name string) string { return fmt.Sprintf("claims[%d].%s", i, name) }
		circuit, known := circuits[c.CircuitId]
		switch {
		case c.Id == 0 || c.Id >= gs.NextClaimId:
			return fail("%s %d not in [1, next_claim_id %d)", field("id"), c.Id, gs.NextClaimId)
		case claims[c.Id]:
			return fail("%s %d repeated", field("id"), c.Id)
		case !known:
			return fail("%s %d is not a circuit of this genesis", field("circuit_id"), c.CircuitId)
		case len(c.PublicInputsHash) != sha256.Size:
			return fail("%s is %d bytes, want %d", field("public_inputs_hash"), len(c.PublicInputsHash), sha256.Size)
		case c.Height < 1 || c.Height < circuit.RegisteredHeight:
			return fail("%s %d: proofs are verified by transactions, at height 1 or later and not before their circuit's registration (%d)",
				field("height"), c.Height, circuit.RegisteredHeight)
		}
		if _, err := accaddr.ParseCanonical(ac, field("submitter"), c.Submitter); err != nil {
			return errorsmod.Wrap(ErrInvalidGenesis, err.Error())
		}
		claims[c.Id] = true
	}
	if len(gs.WarmCircuits) > int(gs.Params.MaxWarmCircuits) {
		return fail("warm_circuits holds %d circuits, params.max_warm_circuits is %d", len(gs.WarmCircuits), gs.Params.MaxWarmCircuits)
	}
	warm := make(map[uint64]bool, len(gs.WarmCircuits))
	for i, w := range gs.WarmCircuits {
		field := func(name string) string { return fmt.Sprintf("warm_circuits[%d].%s", i, name) }
		circuit, known := circuits[w.CircuitId]
		switch {
		case !known:
			return fail("%s %d is not a circuit of this genesis", field("circuit_id"), w.CircuitId)
		case warm[w.CircuitId]:
			return fail("%s %d repeated", field("circuit_id"), w.CircuitId)
		case !circuit.Active:
			return fail("%s %d is deactivated: deactivation leaves the warm set", field("circuit_id"), w.CircuitId)
		case w.LastUsedHeight < 1 || w.LastUsedHeight < circuit.RegisteredHeight:
			return fail("%s %d: verifications run at height 1 or later and not before the circuit's registration (%d)",
				field("last_used_height"), w.LastUsedHeight, circuit.RegisteredHeight)
		}
		warm[w.CircuitId] = true
	}
	return nil
}
