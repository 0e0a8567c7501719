package customer

import (
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/fogchain/fog/offchain/runtime"
	"github.com/fogchain/fog/offchain/wire"
	markettypes "github.com/fogchain/fog/x/market/types"
)

// Workloads are deterministic (WASI without clock or randomness), so the honest replicas of a silver
// or gold order sign the same outcome for the same task. The client delivers the task to every
// replica, checks each receipt, and then votes: the outcome signed by more than half of the valid
// receipts is the result.

// Verdict is what the vote made of one replica.
type Verdict string

const (
	// VerdictMajority: the replica's valid receipt signs the majority's outcome.
	VerdictMajority Verdict = "majority"
	// VerdictDisagrees: the replica's valid receipt signs another outcome than the majority's.
	VerdictDisagrees Verdict = "disagrees"
	// VerdictNoMajority: the replica answered with a valid receipt, but no outcome has a majority.
	VerdictNoMajority Verdict = "no majority"
	// VerdictFailed: the replica gave no receipt that passed every check (no answer, receipt
	// rejected, attestation or anchoring failed). It is not a vote.
	VerdictFailed Verdict = "failed"
)

// Outcome is what a receipt signs about a run: the hash of the output, the run's status and its exit
// code. Replicas agree when their outcomes are equal.
type Outcome struct {
	OutputHash []byte
	Status     runtime.Status
	ExitCode   uint32
}

// OutcomeOf is the outcome a receipt signs.
func OutcomeOf(r *wire.Receipt) Outcome {
	return Outcome{OutputHash: r.OutputHash, Status: runtime.Status(r.Status), ExitCode: r.ExitCode}
}

func (o Outcome) key() string {
	return fmt.Sprintf("%x/%d/%d", o.OutputHash, o.Status, o.ExitCode)
}

// Equal tells whether two outcomes are the same.
func (o Outcome) Equal(p Outcome) bool { return o.key() == p.key() }

// String is "output <hex sha256> (<status>)", with the exit code for a non-zero exit.
func (o Outcome) String() string {
	status := o.Status.String()
	if o.Status == runtime.StatusExit {
		status += fmt.Sprintf(", exit code %d", o.ExitCode)
	}
	return fmt.Sprintf("output %s (%s)", hex.EncodeToString(o.OutputHash), status)
}

// Ballot is one lease's part in the vote.
type Ballot struct {
	Lease markettypes.Lease
	// Replica is what the lease's worker gave back; nil when it gave no receipt.
	Replica *Replica
	// Err says why the replica failed; set by the caller (delivery, attestation or anchoring failed)
	// or by Vote (the receipt does not pass CheckReceipt). Non-nil exactly when Verdict is
	// VerdictFailed.
	Err     error
	Verdict Verdict
}

// Tally is the vote of a replicated order's replicas on one task.
type Tally struct {
	OrderID uint64
	TaskSeq uint64
	// Ballots, one per lease, in the order given to Vote, with their verdicts.
	Ballots []Ballot
	// Majority is the outcome signed by more than half of the valid receipts; nil when no outcome has
	// that many.
	Majority *Outcome
	// Output is the output of the majority (nil without a majority).
	Output []byte
	// Valid counts the ballots with a valid receipt (the votes), Agree those of them that signed the
	// majority's outcome, Outcomes the distinct outcomes among the votes.
	Valid, Agree, Outcomes int
}

// Vote checks the receipt of every ballot that has a replica and no error again (CheckReceipt:
// signature by the provider's registered worker key, chain, lease, task, module, input, and the
// signed output hash against the output received), and votes on the outcomes of the valid ones. A
// ballot whose receipt fails a check counts as failed, not as a vote. The majority is the outcome
// signed by more than half of the votes; there is none when the votes split evenly or worse, or
// when nobody answered with a valid receipt. Vote fills in every ballot's verdict.
func Vote(chainID string, orderID, seq uint64, module, input []byte, ballots []Ballot) *Tally {
	t := &Tally{OrderID: orderID, TaskSeq: seq, Ballots: ballots}
	counts := map[string]int{}
	for i := range ballots {
		b := &ballots[i]
		if b.Err == nil && b.Replica == nil {
			b.Err = errors.New("no receipt")
		}
		if b.Err == nil {
			rep := b.Replica
			if err := CheckReceipt(rep.Receipt, chainID, rep.Provider.WorkerPubkey, b.Lease, seq, module, input, rep.Output); err != nil {
				b.Err = fmt.Errorf("receipt rejected: %w", err)
			}
		}
		if b.Err != nil {
			b.Verdict = VerdictFailed
			continue
		}
		t.Valid++
		k := OutcomeOf(b.Replica.Receipt.Receipt).key()
		if counts[k] == 0 {
			t.Outcomes++
		}
		counts[k]++
	}
	for i := range ballots {
		b := &ballots[i]
		if b.Verdict == VerdictFailed {
			continue
		}
		o := OutcomeOf(b.Replica.Receipt.Receipt)
		if n := counts[o.key()]; 2*n > t.Valid {
			if t.Majority == nil {
				t.Majority, t.Output, t.Agree = &o, b.Replica.Output, n
			}
			b.Verdict = VerdictMajority
		}
	}
	for i := range ballots {
		b := &ballots[i]
		if b.Verdict == "" {
			if t.Majority != nil {
				b.Verdict = VerdictDisagrees
			} else {
				b.Verdict = VerdictNoMajority
			}
		}
	}
	return t
}

// Err is nil when the vote has a majority, and a *NoMajorityError otherwise.
func (t *Tally) Err() error {
	if t.Majority != nil {
		return nil
	}
	return &NoMajorityError{OrderID: t.OrderID, Replicas: len(t.Ballots), Valid: t.Valid, Outcomes: t.Outcomes}
}

// Verdict is the verdict of the lease's ballot ("" for a lease that did not vote).
func (t *Tally) Verdict(leaseID uint64) Verdict {
	for _, b := range t.Ballots {
		if b.Lease.Id == leaseID {
			return b.Verdict
		}
	}
	return ""
}

// Failed counts the ballots that failed.
func (t *Tally) Failed() int { return len(t.Ballots) - t.Valid }

// majorityReplica is a replica of the majority (nil without a majority).
func (t *Tally) majorityReplica() *Replica {
	for _, b := range t.Ballots {
		if b.Verdict == VerdictMajority {
			return b.Replica
		}
	}
	return nil
}

// Disagreement is nil when every valid receipt signs the same outcome (failed replicas are no
// disagreement), and otherwise lists the replicas that signed different outcomes for the task.
func (t *Tally) Disagreement() *Disagreement {
	if t.Outcomes < 2 {
		return nil
	}
	d := &Disagreement{OrderID: t.OrderID, TaskSeq: t.TaskSeq, Majority: t.Majority}
	for _, b := range t.Ballots {
		switch b.Verdict {
		case VerdictMajority:
			d.Agreeing = append(d.Agreeing, *b.Replica)
		case VerdictDisagrees, VerdictNoMajority:
			d.Disagreeing = append(d.Disagreeing, *b.Replica)
		}
	}
	return d
}

// Disagreement is the evidence that replicas of one order signed different outcomes for the same
// task of a deterministic workload: each replica's output and signed receipt (anchored when the
// worker anchored it).
//
// Client.Run reports it in Result.Disagreement and, unless NoAudit is set, asks x/quorum's proof of
// audit to re-execute the task of each disagreeing receipt (Client.AuditDisagreement): a committee
// decides whether the receipt's output hash is right, and a provider that signed a wrong one loses
// its lease bond.
type Disagreement struct {
	OrderID uint64
	TaskSeq uint64
	// Majority is the majority's outcome; nil when there is none.
	Majority *Outcome
	// Agreeing are the replicas that signed the majority's outcome (none without a majority).
	Agreeing []Replica
	// Disagreeing are the replicas whose valid receipts sign another outcome than the majority's;
	// without a majority, every replica that answered with a valid receipt.
	Disagreeing []Replica
}

// NoMajorityError: no outcome was signed by more than half of the replicas that answered with a
// valid receipt, so the run has no result. Test for it with errors.As.
type NoMajorityError struct {
	OrderID uint64
	// Replicas is the number of leases, Valid the replicas that answered with a valid receipt, and
	// Outcomes the distinct outcomes they signed.
	Replicas, Valid, Outcomes int
}

func (e *NoMajorityError) Error() string {
	if e.Valid == 0 {
		return fmt.Sprintf("order %d: no majority: none of its %d replicas answered with a valid receipt", e.OrderID, e.Replicas)
	}
	return fmt.Sprintf("order %d: no majority: %d of its %d replicas answered with a valid receipt, with %d different outputs, none signed by more than half; no output is returned",
		e.OrderID, e.Valid, e.Replicas, e.Outcomes)
}

// Lines describes the vote: one line per replica (lease, provider, outcome or failure, verdict),
// then the outcome of the vote.
func (t *Tally) Lines() []string {
	lines := []string{fmt.Sprintf("order %d: comparing the outcomes of its %d replicas for task %d", t.OrderID, len(t.Ballots), t.TaskSeq)}
	for _, b := range t.Ballots {
		who := fmt.Sprintf("  lease %d, provider %s: ", b.Lease.Id, b.Lease.Provider)
		switch b.Verdict {
		case VerdictFailed:
			lines = append(lines, who+"failed (no vote): "+firstLine(b.Err))
		case VerdictDisagrees:
			lines = append(lines, who+OutcomeOf(b.Replica.Receipt.Receipt).String()+": DISAGREES with the majority")
		default:
			lines = append(lines, who+OutcomeOf(b.Replica.Receipt.Receipt).String()+": "+string(b.Verdict))
		}
	}
	failed := ""
	if n := t.Failed(); n > 0 {
		failed = fmt.Sprintf(" (%d failed)", n)
	}
	if t.Majority == nil {
		lines = append(lines, fmt.Sprintf("order %d: NO MAJORITY: %d of %d replicas answered with a valid receipt%s, with %d different outputs; no output is returned",
			t.OrderID, t.Valid, len(t.Ballots), failed, t.Outcomes))
		return lines
	}
	lines = append(lines, fmt.Sprintf("order %d: majority %s, signed by %d of the %d replicas that answered with a valid receipt%s",
		t.OrderID, t.Majority, t.Agree, t.Valid, failed))
	if t.Valid == 1 {
		lines = append(lines, fmt.Sprintf("order %d: WARNING: only one replica answered: its output was compared with no other", t.OrderID))
	}
	return lines
}

// firstLine is the first line of err's message (a workload's stderr follows on the next lines).
func firstLine(err error) string {
	s, _, _ := strings.Cut(err.Error(), "\n")
	return s
}
