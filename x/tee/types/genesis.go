package types

import (
	"crypto/ed25519"
	"crypto/sha256"
	"fmt"

	errorsmod "cosmossdk.io/errors"

	"github.com/fogchain/fog/internal/accaddr"
)

// DefaultGenesis has default params and no enclave or nonce.
func DefaultGenesis() *GenesisState { return &GenesisState{Params: DefaultParams()} }

// Validate refuses any state the module could not have produced, naming the field; failures wrap
// ErrInvalidGenesis (ErrInvalidParams for params). Records are checked against the widest bounds any
// params allow, not the current params, which governance may have changed since a record was made.
func (gs GenesisState) Validate() error {
	if err := gs.Params.Validate(); err != nil {
		return err
	}
	fail := func(format string, args ...any) error { return errorsmod.Wrapf(ErrInvalidGenesis, format, args...) }
	ac := accaddr.Codec()
	providers := make(map[string]bool, len(gs.Enclaves))
	for i, e := range gs.Enclaves {
		field := func(name string) string { return fmt.Sprintf("enclaves[%d].%s", i, name) }
		addr, err := accaddr.ParseCanonical(ac, field("provider"), e.Provider)
		if err != nil {
			return errorsmod.Wrap(ErrInvalidGenesis, err.Error())
		}
		tcbSize := 8 // SEV-SNP's TCB_VERSION, and the simulated TEE's
		if e.TeeType == TeeTypeTdx {
			tcbSize = TdxTcbSvnSize
		}
		_, measurementErr := ParseMeasurement(e.Measurement)
		switch {
		case providers[string(addr)]:
			return fail("%s: a second record of %s", field("provider"), e.Provider)
		case e.TeeType != TeeTypeSevSnp && e.TeeType != TeeTypeTdx && e.TeeType != TeeTypeSimulated:
			return fail("%s %d is not a TEE type", field("tee_type"), e.TeeType)
		case measurementErr != nil:
			return fail("%s: %s", field("measurement"), measurementErr)
		case len(e.PlatformIdHash) != sha256.Size:
			return fail("%s is %d bytes, want %d", field("platform_id_hash"), len(e.PlatformIdHash), sha256.Size)
		case len(e.Tcb) != tcbSize:
			return fail("%s is %d bytes, want %d for %s", field("tcb"), len(e.Tcb), tcbSize, e.TeeType.Short())
		case len(e.WorkerPubkey) != ed25519.PublicKeySize:
			// x/market registers only ed25519 worker keys, and an attestation binds one
			return fail("%s is %d bytes, want an ed25519 key (%d)", field("worker_pubkey"), len(e.WorkerPubkey), ed25519.PublicKeySize)
		case len(e.EvidenceHash) != sha256.Size:
			return fail("%s is %d bytes, want %d", field("evidence_hash"), len(e.EvidenceHash), sha256.Size)
		case e.AttestedHeight < 1:
			return fail("%s %d: attestations are transactions, at height 1 or later", field("attested_height"), e.AttestedHeight)
		// governance ending a record sets its expiry to the current height, which may be its attestation's
		case e.ExpiryHeight < e.AttestedHeight || e.ExpiryHeight-e.AttestedHeight > MaxValidityBlocks:
			return fail("%s %d not in [attested_height %d, attested_height + %d]", field("expiry_height"), e.ExpiryHeight, e.AttestedHeight, MaxValidityBlocks)
		case e.NonceHeight < 1 || e.NonceHeight > e.AttestedHeight || e.AttestedHeight-e.NonceHeight >= MaxNonceWindowBlocks:
			return fail("%s %d not within the %d blocks up to attested_height %d", field("nonce_height"), e.NonceHeight, MaxNonceWindowBlocks, e.AttestedHeight)
		}
		providers[string(addr)] = true
	}
	heights := make(map[int64]bool, len(gs.Nonces))
	var lowest, highest int64
	for i, n := range gs.Nonces {
		field := func(name string) string { return fmt.Sprintf("nonces[%d].%s", i, name) }
		switch {
		case n.Height < 1:
			return fail("%s %d: block hashes are recorded from height 1", field("height"), n.Height)
		case heights[n.Height]:
			return fail("%s %d repeated", field("height"), n.Height)
		case len(n.Hash) != 32:
			return fail("%s is %d bytes, want a 32-byte block hash", field("hash"), len(n.Hash))
		}
		heights[n.Height] = true
		if i == 0 || n.Height < lowest {
			lowest = n.Height
		}
		if i == 0 || n.Height > highest {
			highest = n.Height
		}
	}
	// the module forgets every hash that leaves the window, at each block and when the window narrows
	if len(gs.Nonces) > 0 && highest-lowest >= gs.Params.NonceWindowBlocks {
		return fail("nonces span heights %d to %d, wider than params.nonce_window_blocks %d", lowest, highest, gs.Params.NonceWindowBlocks)
	}
	// every lease id is one lease of one provider
	leases := make(map[uint64]bool, len(gs.TeeLeases))
	for i, l := range gs.TeeLeases {
		field := func(name string) string { return fmt.Sprintf("tee_leases[%d].%s", i, name) }
		if _, err := accaddr.ParseCanonical(ac, field("provider"), l.Provider); err != nil {
			return errorsmod.Wrap(ErrInvalidGenesis, err.Error())
		}
		if l.LeaseId == 0 {
			return fail("%s is 0: lease ids start at 1", field("lease_id"))
		}
		if leases[l.LeaseId] {
			return fail("%s %d repeated", field("lease_id"), l.LeaseId)
		}
		leases[l.LeaseId] = true
	}
	return nil
}
