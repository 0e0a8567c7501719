package types

import errorsmod "cosmossdk.io/errors"

// Errors of the reputation module. Codes are part of the API: never renumber them.
var (
	ErrInvalidAuthority = errorsmod.Register(ModuleName, 2, "invalid authority")
	ErrInvalidParams    = errorsmod.Register(ModuleName, 3, "invalid params")
	ErrInvalidTier      = errorsmod.Register(ModuleName, 4, "invalid reputation tier")
	ErrInvalidOutcome   = errorsmod.Register(ModuleName, 5, "invalid outcome")
	ErrInvalidGenesis   = errorsmod.Register(ModuleName, 6, "invalid genesis state")
)
