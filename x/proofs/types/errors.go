package types

import errorsmod "cosmossdk.io/errors"

// Errors of the proofs module. Codes are part of the API: never renumber them.
var (
	ErrInvalidAuthority = errorsmod.Register(ModuleName, 2, "invalid authority")
	ErrInvalidParams    = errorsmod.Register(ModuleName, 3, "invalid params")
	ErrLeaseNotFound    = errorsmod.Register(ModuleName, 4, "lease not found")
	ErrUnauthorized     = errorsmod.Register(ModuleName, 5, "signer may not anchor batches for this lease")
	ErrInvalidBatch     = errorsmod.Register(ModuleName, 6, "invalid batch")
	ErrBatchNotFound    = errorsmod.Register(ModuleName, 7, "batch not found")
	ErrInvalidCircuit   = errorsmod.Register(ModuleName, 8, "invalid circuit")
	ErrCircuitNotFound  = errorsmod.Register(ModuleName, 9, "circuit not found")
	ErrCircuitInactive  = errorsmod.Register(ModuleName, 10, "circuit is deactivated")
	ErrCircuitExists    = errorsmod.Register(ModuleName, 11, "a circuit with this name exists")
	ErrInvalidProof     = errorsmod.Register(ModuleName, 12, "proof does not verify")
	ErrMalformedProof   = errorsmod.Register(ModuleName, 13, "malformed proof or public inputs")
	ErrTooLarge         = errorsmod.Register(ModuleName, 14, "input too large")
	ErrClaimNotFound    = errorsmod.Register(ModuleName, 15, "claim not found")
	ErrInvalidKind      = errorsmod.Register(ModuleName, 16, "invalid batch kind")
	ErrInvalidGenesis   = errorsmod.Register(ModuleName, 17, "invalid genesis state")
)
