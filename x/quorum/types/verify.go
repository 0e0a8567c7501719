package types

import (
	"crypto/sha256"
	"encoding/binary"
	"slices"
)

// HashSize is the size of the output, module and input hashes (sha256).
const HashSize = 32

// DataUnavailable is the output hash a committee member votes when it could not get the module or
// the input from the requester (or got bytes that do not match the receipt's hashes): 32 zero
// bytes, which no sha256 output is in practice. A majority of it decides the audit INCONCLUSIVE
// and pays the fee to that majority: a requester who does not serve the data pays for the
// committee's time and cannot make honest members lose their deposits.
var DataUnavailable = make([]byte, HashSize)

// MaxSaltBytes bounds an audit vote's salt.
const MaxSaltBytes = 64

// auditVoteDomain keeps audit vote commitments apart from every other hash.
const auditVoteDomain = "fog/audit-vote/1"

// AuditCommitment is what a committee member commits to before revealing outputHash:
// sha256("fog/audit-vote/1" ‖ audit id (8 bytes, big endian) ‖ auditor address bytes ‖ output hash ‖
// salt). Binding the audit and the auditor stops a member from copying another's commitment.
func AuditCommitment(auditID uint64, auditor []byte, outputHash, salt []byte) []byte {
	h := sha256.New()
	h.Write([]byte(auditVoteDomain))
	var id [8]byte
	binary.BigEndian.PutUint64(id[:], auditID)
	h.Write(id[:])
	h.Write(auditor)
	h.Write(outputHash)
	h.Write(salt)
	return h.Sum(nil)
}

// WindowBounds are the blocks [start, end) of window w of a watch.
func (w Watch) WindowBounds(window uint32) (start, end int64) {
	start = w.FirstWindowStart + int64(window)*int64(w.WindowBlocks)
	return start, start + int64(w.WindowBlocks)
}

// Observer is the index of addr among the watch's observers, or -1.
func (w Watch) Observer(addr string) int {
	for i, o := range w.Observers {
		if o.Address == addr {
			return i
		}
	}
	return -1
}

// Member is the index of addr on the audit's committee, or -1.
func (a Audit) Member(addr string) int {
	for i, v := range a.Committee {
		if v.Auditor == addr {
			return i
		}
	}
	return -1
}

// P95 is the nearest-rank 95th percentile of latencies (rank ceil(0.95·N), 1-based) — what an
// observer reports; 0 for none. It sorts a copy.
func P95(latenciesMs []uint64) uint64 {
	n := len(latenciesMs)
	if n == 0 {
		return 0
	}
	s := slices.Clone(latenciesMs)
	slices.Sort(s)
	rank := (95*n + 99) / 100 // ceil(0.95·n)
	return s[rank-1]
}
