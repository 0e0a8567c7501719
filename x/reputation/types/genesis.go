package types

import (
	"fmt"

	errorsmod "cosmossdk.io/errors"

	"github.com/fogchain/fog/internal/accaddr"
)

// DefaultGenesis has default params and no records.
func DefaultGenesis() *GenesisState { return &GenesisState{Params: DefaultParams()} }

// Validate refuses any state the module could not have produced: params out of their bounds, and
// records with a non-canonical or repeated address, α or β outside [MinPrior, MaxEvidence] (every
// prior was at least MinPrior, decay never crosses the prior and RecordOutcome saturates at
// MaxEvidence), a negative height, or no outcome (a record is only written by an outcome). Failures
// wrap ErrInvalidGenesis (ErrInvalidParams for params) and name the field.
func (gs GenesisState) Validate() error {
	if err := gs.Params.Validate(); err != nil {
		return err
	}
	ac := accaddr.Codec()
	seen := make(map[string]bool, len(gs.Records))
	for i, r := range gs.Records {
		field := func(name string) string { return fmt.Sprintf("records[%d].%s", i, name) }
		addr, err := accaddr.ParseCanonical(ac, field("address"), r.Address)
		if err != nil {
			return errorsmod.Wrap(ErrInvalidGenesis, err.Error())
		}
		if seen[string(addr)] {
			return errorsmod.Wrapf(ErrInvalidGenesis, "%s: a second record of %s", field("address"), r.Address)
		}
		seen[string(addr)] = true
		if !inRange(r.Alpha, MinPrior, MaxEvidence) {
			return errorsmod.Wrapf(ErrInvalidGenesis, "%s %s not in [%s, %s]", field("alpha"), r.Alpha, MinPrior, MaxEvidence)
		}
		if !inRange(r.Beta, MinPrior, MaxEvidence) {
			return errorsmod.Wrapf(ErrInvalidGenesis, "%s %s not in [%s, %s]", field("beta"), r.Beta, MinPrior, MaxEvidence)
		}
		if r.LastHeight < 0 {
			return errorsmod.Wrapf(ErrInvalidGenesis, "%s %d is negative", field("last_height"), r.LastHeight)
		}
		if r.Outcomes == 0 {
			return errorsmod.Wrapf(ErrInvalidGenesis, "%s is 0: a record is written only by an outcome", field("outcomes"))
		}
	}
	return nil
}
