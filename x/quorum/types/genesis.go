package types

import (
	"fmt"
	"sort"
	"unicode/utf8"

	errorsmod "cosmossdk.io/errors"

	"github.com/fogchain/fog/internal/accaddr"
)

// DefaultGenesis has default params, no auditors and no attributes.
func DefaultGenesis() *GenesisState { return &GenesisState{Params: DefaultParams()} }

// Validate refuses any state the module could not have produced: params out of bounds; auditors with
// a non-canonical or repeated address, a description over MaxDescriptionBytes or not UTF-8, a
// negative height or more of them than MaxAuditorsBound; attributes with a non-canonical address, a
// repeated (provider, auditor) pair, keys out of order, or attributes beyond the absolute bounds
// (MaxAttributesBound, MaxAttributeBytesBound). The bounds are the absolute ones, not the params': governance may lower a
// param below what earlier signatures used, and their export must still import. An entry's auditor
// need not be approved: the signatures of a removed auditor stay until it deletes them, and do not
// count. Quorum records must be valid (Quorum.Validate), one per order.
func (gs GenesisState) Validate() error {
	if err := gs.Params.Validate(); err != nil {
		return err
	}
	ac := accaddr.Codec()
	if len(gs.Auditors) > MaxAuditorsBound {
		return errorsmod.Wrapf(ErrInvalidGenesis, "%d auditors, at most %d", len(gs.Auditors), MaxAuditorsBound)
	}
	seen := make(map[string]bool, len(gs.Auditors))
	for i, a := range gs.Auditors {
		field := func(name string) string { return fmt.Sprintf("auditors[%d].%s", i, name) }
		addr, err := accaddr.ParseCanonical(ac, field("address"), a.Address)
		if err != nil {
			return errorsmod.Wrap(ErrInvalidGenesis, err.Error())
		}
		if seen[string(addr)] {
			return errorsmod.Wrapf(ErrInvalidGenesis, "%s: %s listed twice", field("address"), a.Address)
		}
		seen[string(addr)] = true
		if len(a.Description) > MaxDescriptionBytes {
			return errorsmod.Wrapf(ErrInvalidGenesis, "%s: %d bytes, at most %d", field("description"), len(a.Description), MaxDescriptionBytes)
		}
		if !utf8.ValidString(a.Description) {
			return errorsmod.Wrapf(ErrInvalidGenesis, "%s: not UTF-8", field("description"))
		}
		if a.AddedHeight < 0 {
			return errorsmod.Wrapf(ErrInvalidGenesis, "%s %d is negative", field("added_height"), a.AddedHeight)
		}
	}
	pairs := make(map[string]bool, len(gs.Attributes))
	for i, e := range gs.Attributes {
		field := func(name string) string { return fmt.Sprintf("attributes[%d].%s", i, name) }
		provider, err := accaddr.ParseCanonical(ac, field("provider"), e.Provider)
		if err != nil {
			return errorsmod.Wrap(ErrInvalidGenesis, err.Error())
		}
		auditor, err := accaddr.ParseCanonical(ac, field("auditor"), e.Auditor)
		if err != nil {
			return errorsmod.Wrap(ErrInvalidGenesis, err.Error())
		}
		pair := string(provider) + "/" + string(auditor)
		if pairs[pair] {
			return errorsmod.Wrapf(ErrInvalidGenesis, "attributes[%d]: a second entry of provider %s by auditor %s", i, e.Provider, e.Auditor)
		}
		pairs[pair] = true
		if err := ValidateAttributes(e.Attributes, MaxAttributesBound, MaxAttributeBytesBound); err != nil {
			return errorsmod.Wrapf(ErrInvalidGenesis, "%s: %s", field("attributes"), err)
		}
		if !sort.SliceIsSorted(e.Attributes, func(a, b int) bool { return e.Attributes[a].Key < e.Attributes[b].Key }) {
			return errorsmod.Wrapf(ErrInvalidGenesis, "%s: keys not sorted", field("attributes"))
		}
		if e.SignedHeight < 0 {
			return errorsmod.Wrapf(ErrInvalidGenesis, "%s %d is negative", field("signed_height"), e.SignedHeight)
		}
	}
	orders := make(map[uint64]bool, len(gs.Quorums))
	for i, q := range gs.Quorums {
		if orders[q.OrderId] {
			return errorsmod.Wrapf(ErrInvalidGenesis, "quorums[%d]: a second record of order %d", i, q.OrderId)
		}
		orders[q.OrderId] = true
		if err := q.Validate(); err != nil {
			return errorsmod.Wrapf(ErrInvalidGenesis, "quorums[%d]: %s", i, err)
		}
	}
	return gs.validateVerification()
}

// validateVerification checks the verifier pool, audits and watches: canonical addresses, each
// once; deposits, fees and escrows valid coins; audit ids below next_audit_id, each once, at most
// MaxCommitteeSize votes by distinct auditors, deadlines in order, hashes of HashSize bytes; watch
// windows and observers within the absolute bounds, SLA windows of existing watches, decided only
// below the watch's decided count, at most one report per observer of the watch.
func (gs GenesisState) validateVerification() error {
	ac := accaddr.Codec()
	fail := func(format string, args ...any) error { return errorsmod.Wrapf(ErrInvalidGenesis, format, args...) }
	if len(gs.Verifiers) > MaxVerifiersBound {
		return fail("%d verifiers, at most %d", len(gs.Verifiers), MaxVerifiersBound)
	}
	seen := map[string]bool{}
	for i, v := range gs.Verifiers {
		addr, err := accaddr.ParseCanonical(ac, fmt.Sprintf("verifiers[%d].address", i), v.Address)
		if err != nil {
			return errorsmod.Wrap(ErrInvalidGenesis, err.Error())
		}
		if seen[string(addr)] {
			return fail("verifiers[%d]: %s listed twice", i, v.Address)
		}
		seen[string(addr)] = true
		if err := v.Deposit.Validate(); err != nil {
			return fail("verifiers[%d].deposit: %s", i, err)
		}
		if v.OpenDuties > MaxOpenDutiesBound {
			return fail("verifiers[%d].open_duties %d above %d", i, v.OpenDuties, MaxOpenDutiesBound)
		}
	}
	ids := map[uint64]bool{}
	open := map[[2]uint64]bool{}
	for i, a := range gs.Audits {
		if a.Id == 0 || a.Id >= gs.NextAuditId || ids[a.Id] {
			return fail("audits[%d]: id %d repeated, 0 or not below next_audit_id %d", i, a.Id, gs.NextAuditId)
		}
		ids[a.Id] = true
		for _, f := range []struct{ name, addr string }{{"requester", a.Requester}, {"provider", a.Provider}} {
			if _, err := accaddr.ParseCanonical(ac, fmt.Sprintf("audits[%d].%s", i, f.name), f.addr); err != nil {
				return errorsmod.Wrap(ErrInvalidGenesis, err.Error())
			}
		}
		if len(a.ModuleHash) != HashSize || len(a.InputHash) != HashSize || len(a.ReceiptOutputHash) != HashSize {
			return fail("audits[%d]: module, input and receipt output hashes must be %d bytes", i, HashSize)
		}
		if len(a.Committee) == 0 || len(a.Committee) > MaxCommitteeSize {
			return fail("audits[%d]: %d committee members, 1 to %d", i, len(a.Committee), MaxCommitteeSize)
		}
		if a.RequestHeight < 0 || a.CommitDeadline < a.RequestHeight || a.RevealDeadline < a.CommitDeadline {
			return fail("audits[%d]: heights %d ≤ %d ≤ %d out of order", i, a.RequestHeight, a.CommitDeadline, a.RevealDeadline)
		}
		if err := a.Fee.Validate(); err != nil {
			return fail("audits[%d].fee: %s", i, err)
		}
		members := map[string]bool{}
		for j, v := range a.Committee {
			if _, err := accaddr.ParseCanonical(ac, fmt.Sprintf("audits[%d].committee[%d].auditor", i, j), v.Auditor); err != nil {
				return errorsmod.Wrap(ErrInvalidGenesis, err.Error())
			}
			if members[v.Auditor] {
				return fail("audits[%d]: %s on the committee twice", i, v.Auditor)
			}
			members[v.Auditor] = true
			if len(v.Commitment) != 0 && len(v.Commitment) != HashSize || len(v.OutputHash) != 0 && len(v.OutputHash) != HashSize {
				return fail("audits[%d].committee[%d]: commitment and output hash are empty or %d bytes", i, j, HashSize)
			}
			if len(v.OutputHash) != 0 && len(v.Commitment) == 0 {
				return fail("audits[%d].committee[%d]: revealed without a commitment", i, j)
			}
		}
		switch a.State {
		case AuditOpen:
			key := [2]uint64{a.LeaseId, a.TaskSeq}
			if open[key] {
				return fail("audits[%d]: a second open audit of task %d of lease %d", i, a.TaskSeq, a.LeaseId)
			}
			open[key] = true
		case AuditPassed, AuditFailed, AuditInconclusive:
		default:
			return fail("audits[%d]: unknown state %d", i, a.State)
		}
	}
	watches := map[uint64]Watch{}
	for i, w := range gs.Watches {
		if _, ok := watches[w.LeaseId]; ok {
			return fail("watches[%d]: a second watch of lease %d", i, w.LeaseId)
		}
		watches[w.LeaseId] = w
		for _, f := range []struct{ name, addr string }{{"payer", w.Payer}, {"provider", w.Provider}} {
			if _, err := accaddr.ParseCanonical(ac, fmt.Sprintf("watches[%d].%s", i, f.name), f.addr); err != nil {
				return errorsmod.Wrap(ErrInvalidGenesis, err.Error())
			}
		}
		switch {
		case w.WindowBlocks == 0 || w.WindowBlocks > MaxPhaseBlocks:
			return fail("watches[%d].window_blocks %d not in [1, %d]", i, w.WindowBlocks, MaxPhaseBlocks)
		case w.Windows == 0 || w.Windows > MaxSlaWindowsBound:
			return fail("watches[%d].windows %d not in [1, %d]", i, w.Windows, MaxSlaWindowsBound)
		case w.Decided > w.Windows || w.Breached > w.Decided:
			return fail("watches[%d]: breached %d ≤ decided %d ≤ windows %d out of order", i, w.Breached, w.Decided, w.Windows)
		case len(w.Observers) == 0 || len(w.Observers) > MaxCommitteeSize:
			return fail("watches[%d]: %d observers, 1 to %d", i, len(w.Observers), MaxCommitteeSize)
		case w.FirstWindowStart < 0:
			return fail("watches[%d].first_window_start %d is negative", i, w.FirstWindowStart)
		}
		if err := w.Escrow.Validate(); err != nil {
			return fail("watches[%d].escrow: %s", i, err)
		}
		if err := w.ReportFee.Validate(); err != nil {
			return fail("watches[%d].report_fee: %s", i, err)
		}
		obs := map[string]bool{}
		for j, o := range w.Observers {
			if _, err := accaddr.ParseCanonical(ac, fmt.Sprintf("watches[%d].observers[%d]", i, j), o.Address); err != nil {
				return errorsmod.Wrap(ErrInvalidGenesis, err.Error())
			}
			if obs[o.Address] {
				return fail("watches[%d]: observer %s twice", i, o.Address)
			}
			obs[o.Address] = true
			if o.NextWindow > w.Windows {
				return fail("watches[%d].observers[%d].next_window %d beyond %d windows", i, j, o.NextWindow, w.Windows)
			}
		}
	}
	windows := map[[2]uint64]bool{}
	for i, win := range gs.SlaWindows {
		w, ok := watches[win.LeaseId]
		if !ok {
			return fail("sla_windows[%d]: lease %d has no watch", i, win.LeaseId)
		}
		key := [2]uint64{win.LeaseId, uint64(win.Window)}
		if windows[key] || win.Window >= w.Windows {
			return fail("sla_windows[%d]: window %d of lease %d repeated or beyond its %d windows", i, win.Window, win.LeaseId, w.Windows)
		}
		windows[key] = true
		if start, end := w.WindowBounds(win.Window); win.Start != start || win.End != end {
			return fail("sla_windows[%d]: [%d, %d), the watch's window %d is [%d, %d)", i, win.Start, win.End, win.Window, start, end)
		}
		if (win.Verdict != SlaVerdictUnspecified) != (win.Window < w.Decided) {
			return fail("sla_windows[%d]: verdict %s, but the watch decided %d windows", i, win.Verdict, w.Decided)
		}
		reporters := map[string]bool{}
		for _, r := range win.Reports {
			if w.Observer(r.Observer) < 0 || reporters[r.Observer] {
				return fail("sla_windows[%d]: a report by %s, not an observer or twice", i, r.Observer)
			}
			reporters[r.Observer] = true
			if r.ProbesSent == 0 || r.ProbesAnswered > r.ProbesSent || r.P95LatencyMs > MaxLatencyMs {
				return fail("sla_windows[%d]: report by %s out of bounds", i, r.Observer)
			}
		}
	}
	return nil
}
