package task

import (
	"time"

	"github.com/fogchain/fog/offchain/wire"
)

// Unsecured makes s answer every task with its receipt unsigned, neither stored nor synced: the
// baseline against which BenchmarkTaskProtocol measures what signing, storing and anchoring cost.
func Unsecured(s *Server) {
	s.record = func(r wire.Receipt) (*wire.SignedReceipt, error) { return &wire.SignedReceipt{Receipt: &r}, nil }
}

// HookSync makes every sync of the store's log go through hook, which gets the real sync to call.
// Set it before the store is used.
func HookSync(s *ReceiptStore, hook func(sync func() error) error) {
	inner := s.sync
	s.sync = func() error { return hook(inner) }
}

// SetClock makes s check sessions against now instead of the time. Set it before Start.
func SetClock(s *Server, now func() time.Time) { s.now = now }

// SessionCount is the number of sessions s holds, expired ones included until they are dropped.
func SessionCount(s *Server) int { return s.sessions.len() }
