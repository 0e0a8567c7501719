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
	VerifiersKey      = collections.NewPrefix(5)  // address → Verifier
	AuditsKey         = collections.NewPrefix(6)  // id → Audit
	AuditSeqKey       = collections.NewPrefix(7)  // the next audit id
	AuditQueueKey     = collections.NewPrefix(8)  // (reveal deadline, id): open audits to decide
	AuditsByLeaseKey  = collections.NewPrefix(9)  // (lease, id)
	OpenAuditsKey     = collections.NewPrefix(10) // (lease, task seq): receipts under an open audit
	WatchesKey        = collections.NewPrefix(11) // lease → Watch
	SlaWindowsKey     = collections.NewPrefix(12) // (lease, window) → SlaWindow
	WatchQueueKey     = collections.NewPrefix(13) // (decision height, lease): the next window to decide
)

// Attribute keys that count for diversity when an approved auditor signed them.
const (
	AttributeASN         = "asn"
	AttributePowerRegion = "power-region"
)

// MaxDescriptionBytes bounds an auditor's description.
const MaxDescriptionBytes = 256
