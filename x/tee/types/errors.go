package types

import errorsmod "cosmossdk.io/errors"

// The module's errors: each refusal of evidence has its own.
var (
	ErrInvalidAuthority = errorsmod.Register(ModuleName, 2, "invalid authority")
	ErrInvalidParams    = errorsmod.Register(ModuleName, 3, "invalid params")
	// ErrUnknownProvider is no longer returned (an attestation names its worker key; x/market checks
	// it against the registered one); the code stays reserved.
	ErrUnknownProvider     = errorsmod.Register(ModuleName, 4, "provider not registered in the market")
	ErrMalformedEvidence   = errorsmod.Register(ModuleName, 5, "malformed evidence")
	ErrUntrustedChain      = errorsmod.Register(ModuleName, 6, "certificate chain does not lead to a trusted root")
	ErrCertExpired         = errorsmod.Register(ModuleName, 7, "certificate not valid at block time")
	ErrBadSignature        = errorsmod.Register(ModuleName, 8, "evidence signature does not verify")
	ErrDebug               = errorsmod.Register(ModuleName, 9, "TEE allows debugging")
	ErrMeasurement         = errorsmod.Register(ModuleName, 10, "measurement not allowed")
	ErrTCB                 = errorsmod.Register(ModuleName, 11, "TCB below the minimum")
	ErrBinding             = errorsmod.Register(ModuleName, 12, "report data does not bind this provider, worker key and nonce")
	ErrNonce               = errorsmod.Register(ModuleName, 13, "nonce unknown or outside the freshness window")
	ErrSimulatedNotAllowed = errorsmod.Register(ModuleName, 14, "simulated TEEs are not allowed on this chain")
	ErrPolicy              = errorsmod.Register(ModuleName, 15, "evidence refused by policy")
	ErrEnclaveNotFound     = errorsmod.Register(ModuleName, 16, "no enclave record")
	ErrTeeType             = errorsmod.Register(ModuleName, 17, "unknown TEE type")
	ErrTooLarge            = errorsmod.Register(ModuleName, 18, "evidence too large")
	ErrPinned              = errorsmod.Register(ModuleName, 19, "TEE type and worker key are pinned while the provider holds active TEE leases")
	ErrInvalidGenesis      = errorsmod.Register(ModuleName, 20, "invalid genesis state")
	ErrWorkerKey           = errorsmod.Register(ModuleName, 21, "invalid worker key")
)
