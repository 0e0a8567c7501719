package types

import errorsmod "cosmossdk.io/errors"

// Errors of the quorum module. Codes are part of the API: never renumber them.
var (
	ErrInvalidAuthority   = errorsmod.Register(ModuleName, 2, "invalid authority")
	ErrInvalidParams      = errorsmod.Register(ModuleName, 3, "invalid params")
	ErrInvalidGenesis     = errorsmod.Register(ModuleName, 4, "invalid genesis state")
	ErrAuditorExists      = errorsmod.Register(ModuleName, 5, "auditor already approved")
	ErrAuditorNotFound    = errorsmod.Register(ModuleName, 6, "auditor not approved")
	ErrTooManyAuditors    = errorsmod.Register(ModuleName, 7, "too many auditors")
	ErrInvalidAttributes  = errorsmod.Register(ModuleName, 8, "invalid attributes")
	ErrAttributesNotFound = errorsmod.Register(ModuleName, 9, "attributes not found")
	ErrInvalidTier        = errorsmod.Register(ModuleName, 10, "invalid tier")
	ErrInvalidProviders   = errorsmod.Register(ModuleName, 11, "invalid providers")
	ErrInvalidAddress     = errorsmod.Register(ModuleName, 12, "invalid address")
)
