package types

import "cosmossdk.io/collections"

const (
	// ModuleName is the name of the quorum module.
	ModuleName = "quorum"
	// StoreKey is its store key.
	StoreKey = ModuleName
)

// Store prefixes; never reuse or renumber them.
var (
	ParamsKey     = collections.NewPrefix(0)
	AuditorsKey   = collections.NewPrefix(1)
	AttributesKey = collections.NewPrefix(2) // (provider, auditor) → AuditedAttributes
	QuorumsKey    = collections.NewPrefix(3) // order id → Quorum
	// QuorumsByStateKey indexes the quorums by (state, order id).
	QuorumsByStateKey = collections.NewPrefix(4)
)

// Attribute keys that count for diversity when an approved auditor signed them.
const (
	AttributeASN         = "asn"
	AttributePowerRegion = "power-region"
)

// MaxDescriptionBytes bounds an auditor's description.
const MaxDescriptionBytes = 256
