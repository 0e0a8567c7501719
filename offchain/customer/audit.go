package customer

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"

	ctypes "github.com/cometbft/cometbft/rpc/core/types"
	"github.com/cosmos/gogoproto/proto"
	"github.com/libp2p/go-libp2p"
	"github.com/libp2p/go-libp2p/core/host"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/fogchain/fog/offchain/anchor"
	"github.com/fogchain/fog/offchain/auditdata"
	"github.com/fogchain/fog/offchain/chain"
	"github.com/fogchain/fog/offchain/task"
	"github.com/fogchain/fog/offchain/wire"
	quorumtypes "github.com/fogchain/fog/x/quorum/types"
)

// Proof of audit (x/quorum): anyone holding an anchored receipt, the module and the input can pay for
// a committee of verifiers to re-execute the task. The requester serves the module and input to the
// committee over /fog/audit-data/1 (offchain/auditdata) from a libp2p host the request names; the
// committee commits and then reveals the output hash it computed, and the chain decides at the end
// of the reveal phase: PASSED (the majority computed the receipt's output hash), FAILED (it computed
// another: the provider's lease bond is slashed and partly paid to the requester) or INCONCLUSIVE (no
// output hash has a majority; the fee comes back).

// AuditChain is what requesting audits and following them needs of the chain (offchain/chain.Client).
type AuditChain interface {
	Address() sdk.AccAddress
	Subscribe(ctx context.Context, filter chain.Filter) <-chan chain.Event
	Broadcast(ctx context.Context, msgs ...sdk.Msg) (*ctypes.ResultTx, error)
	Audit(ctx context.Context, id uint64) (quorumtypes.Audit, error)
}

// MaxDataAddrs bounds the multiaddrs an audit request names: the first of the host's (or of the
// announced ones).
const MaxDataAddrs = 8

// DefaultAuditListen is where the host that serves an audit's data listens unless told otherwise.
var DefaultAuditListen = []string{"/ip4/0.0.0.0/tcp/0"}

// ErrNotAnchored: the receipt has no inclusion proof in an anchored batch; only an anchored receipt
// can be audited.
var ErrNotAnchored = errors.New("the receipt is not anchored")

// CheckAuditable checks, before anything is paid, that an audit of the anchored receipt a can be asked
// for with module and input: a is a receipt whose signature verifies with the worker key it names,
// anchored (a batch id and an inclusion proof: otherwise ErrNotAnchored), and module and input are the
// bytes whose sha256 the receipt names.
func CheckAuditable(a *wire.AnchoredReceipt, module, input []byte) error {
	if a == nil || a.Receipt == nil || a.Receipt.Receipt == nil {
		return errors.New("no receipt")
	}
	r := a.Receipt.Receipt
	switch {
	case !bytes.Equal(wire.Hash(module), r.ModuleHash):
		return fmt.Errorf("the module's sha256 is %x, but the receipt's module_hash is %x: not the module the receipt names", wire.Hash(module), r.ModuleHash)
	case !bytes.Equal(wire.Hash(input), r.InputHash):
		return fmt.Errorf("the input's sha256 is %x, but the receipt's input_hash is %x: not the input the receipt names", wire.Hash(input), r.InputHash)
	case a.BatchId == 0 || a.Proof == nil:
		return fmt.Errorf("%w (batch_id 0, no inclusion proof): its worker anchors it at the latest when its lease closes, and `fogd client run` then saves the anchored receipt with its proof; get that file, check it with `fogd client verify-receipt`, and audit it", ErrNotAnchored)
	}
	if err := a.Receipt.Verify(r.WorkerPubkey); err != nil {
		return fmt.Errorf("the receipt's signature does not verify with the worker key it names: %w", err)
	}
	return nil
}

// AuditOutcome is what became of the audit of one receipt.
type AuditOutcome struct {
	Receipt *wire.AnchoredReceipt
	// Requested is the chain's answer to the request: the audit's id, committee and deadlines; nil
	// when no audit was opened (Err says why).
	Requested *quorumtypes.MsgRequestAuditResponse
	// Audit is the audit once decided (its state is not OPEN); zero until then.
	Audit quorumtypes.Audit
	// Err: the receipt could not be put to audit (not anchored, the request refused or not sent), or
	// the audit could not be followed to its decision.
	Err error
}

// Decided tells whether the audit reached its verdict.
func (o AuditOutcome) Decided() bool {
	return o.Err == nil && o.Requested != nil && o.Audit.State != quorumtypes.AuditStateUnspecified && o.Audit.State != quorumtypes.AuditOpen
}

// Auditing requests audits of anchored receipts of one task and follows them to their verdicts.
type Auditing struct {
	Chain AuditChain
	// Host serves the module and input to the committees; it must listen on addresses they can dial.
	Host host.Host
	// Addrs are the multiaddrs the requests name; empty: the host's listen addresses. At most
	// MaxDataAddrs are named.
	Addrs []string
	// Out receives progress lines.
	Out io.Writer
}

func (a *Auditing) say(format string, args ...any) {
	if a.Out != nil {
		fmt.Fprintf(a.Out, format+"\n", args...)
	}
}

// DataAddrs are the multiaddrs an audit request names for the data.
func (a *Auditing) DataAddrs() []string {
	addrs := slices.Clone(a.Addrs)
	if len(addrs) == 0 {
		for _, m := range a.Host.Addrs() {
			addrs = append(addrs, m.String())
		}
	}
	if len(addrs) > MaxDataAddrs {
		addrs = addrs[:MaxDataAddrs]
	}
	return addrs
}

// Run serves module and input on the host, requests an audit of each receipt that passes
// CheckAuditable, and follows the audits opened until every one is decided, at the heights the chain
// reports. It returns one outcome per receipt. The error says what stopped the following (the context
// ended, the subscription ended); the outcomes then hold what was known.
func (a *Auditing) Run(ctx context.Context, module, input []byte, receipts ...*wire.AnchoredReceipt) ([]AuditOutcome, error) {
	stop := auditdata.Serve(a.Host, module, input)
	defer stop()
	addrs := a.DataAddrs()
	outs := make([]AuditOutcome, len(receipts))
	for i, r := range receipts {
		outs[i].Receipt = r
	}
	if len(addrs) == 0 {
		err := errors.New("the host that would serve the module and input listens on no address: a committee could not fetch them")
		for i := range outs {
			outs[i].Err = err
		}
		return outs, err
	}
	// subscribed before the requests, so that nothing of the audits is missed
	subCtx, unsubscribe := context.WithCancel(ctx)
	defer unsubscribe()
	w := &auditWatch{ids: map[uint64]bool{}}
	events := a.Chain.Subscribe(subCtx, w.filter)
	requester := a.Chain.Address().String()
	for i, r := range receipts {
		if err := CheckAuditable(r, module, input); err != nil {
			outs[i].Err = err
			continue
		}
		rc := r.Receipt.Receipt
		res, err := a.Chain.Broadcast(ctx, &quorumtypes.MsgRequestAudit{Requester: requester, Receipt: *r.Receipt, BatchId: r.BatchId,
			Proof: *r.Proof, DataPeerId: a.Host.ID().String(), DataMultiaddrs: addrs})
		if err != nil {
			outs[i].Err = fmt.Errorf("requesting an audit of lease %d task %d: %w", rc.LeaseId, rc.TaskSeq, err)
			a.say("%v", outs[i].Err)
			continue
		}
		var resp quorumtypes.MsgRequestAuditResponse
		if err := chain.MsgResponse(res, &resp); err != nil {
			outs[i].Err = fmt.Errorf("requesting an audit of lease %d task %d: %w", rc.LeaseId, rc.TaskSeq, err)
			continue
		}
		outs[i].Requested = &resp
		w.add(resp.AuditId)
		a.say("audit %d requested: lease %d task %d of provider %s, receipt output hash %x", resp.AuditId, rc.LeaseId, rc.TaskSeq, rc.Provider, rc.OutputHash)
		a.say("audit %d: committee of %d: %s", resp.AuditId, len(resp.Committee), strings.Join(resp.Committee, ", "))
		a.say("audit %d: commit phase until height %d, reveal phase until height %d; serving the module and input as peer %s at %s until it is decided",
			resp.AuditId, resp.CommitDeadline, resp.RevealDeadline, a.Host.ID(), strings.Join(addrs, ", "))
	}
	return outs, a.await(ctx, events, outs)
}

// await follows the requested audits until each is decided: the audit is read once its reveal
// deadline's block is made (it is decided in that block's EndBlock), when its decision event arrives,
// and on a resync; never on a timer.
func (a *Auditing) await(ctx context.Context, events <-chan chain.Event, outs []AuditOutcome) error {
	pending := map[uint64]int{}
	for i, o := range outs {
		if o.Requested != nil {
			pending[o.Requested.AuditId] = i
		}
	}
	revealing := map[uint64]bool{}
	for len(pending) > 0 {
		ev, _, err := next(ctx, events, nil)
		if err != nil {
			return err
		}
		decided := map[uint64]bool{}
		for _, m := range ev.Events {
			switch m := m.(type) {
			case *quorumtypes.EventAuditVoteCommitted:
				a.say("height %d: audit %d: %s committed its vote", ev.Height, m.AuditId, m.Auditor)
			case *quorumtypes.EventAuditVoteRevealed:
				a.say("height %d: audit %d: %s revealed output hash %x", ev.Height, m.AuditId, m.Auditor, m.OutputHash)
			case *quorumtypes.EventAuditDecided:
				decided[m.AuditId] = true
			}
		}
		ids := make([]uint64, 0, len(pending))
		for id := range pending {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		for _, id := range ids {
			o := &outs[pending[id]]
			req := o.Requested
			if ev.Height >= req.CommitDeadline && ev.Height < req.RevealDeadline && !revealing[id] {
				revealing[id] = true
				a.say("height %d: audit %d: commit phase over; reveal phase until height %d", ev.Height, id, req.RevealDeadline)
			}
			if !decided[id] && !ev.Resync && ev.Height < req.RevealDeadline {
				continue
			}
			au, err := a.Chain.Audit(ctx, id)
			switch {
			case status.Code(err) == codes.NotFound:
				o.Err = fmt.Errorf("audit %d: not found on chain", id)
				delete(pending, id)
				continue
			case err != nil:
				if ctx.Err() != nil {
					return ctx.Err()
				}
				a.say("height %d: audit %d: reading it: %v (read again at the next height)", ev.Height, id, err)
				continue
			case au.State == quorumtypes.AuditOpen:
				if ev.Height >= req.RevealDeadline {
					a.say("height %d: audit %d: not decided yet (due at the end of block %d)", ev.Height, id, req.RevealDeadline)
				}
				continue
			}
			o.Audit = au
			delete(pending, id)
			for _, line := range VerdictLines(*o) {
				a.say("%s", line)
			}
		}
	}
	return nil
}

// auditWatch selects the events of the audits requested; the subscription calls filter on its own
// goroutine.
type auditWatch struct {
	mu  sync.Mutex
	ids map[uint64]bool
}

func (w *auditWatch) add(id uint64) {
	w.mu.Lock()
	w.ids[id] = true
	w.mu.Unlock()
}

func (w *auditWatch) filter(m proto.Message) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	switch m := m.(type) {
	case *quorumtypes.EventAuditVoteCommitted:
		return w.ids[m.AuditId]
	case *quorumtypes.EventAuditVoteRevealed:
		return w.ids[m.AuditId]
	case *quorumtypes.EventAuditDecided:
		return w.ids[m.AuditId]
	}
	return false
}

// StateName is an audit state as `fogd client audit` prints it: open, passed, failed, inconclusive.
func StateName(s quorumtypes.AuditState) string {
	switch s {
	case quorumtypes.AuditOpen:
		return "open"
	case quorumtypes.AuditPassed:
		return "passed"
	case quorumtypes.AuditFailed:
		return "failed"
	case quorumtypes.AuditInconclusive:
		return "inconclusive"
	}
	return "unspecified"
}

// VerdictLines describe an audit's outcome: its verdict and what it cost whom.
func VerdictLines(o AuditOutcome) []string {
	if o.Err != nil {
		return []string{o.Err.Error()}
	}
	if o.Requested == nil {
		return nil
	}
	au, id := o.Audit, o.Requested.AuditId
	if !o.Decided() {
		return []string{fmt.Sprintf("audit %d: not decided", id)}
	}
	with := 0
	var slashed []string
	for _, v := range au.Committee {
		if v.WithMajority {
			with++
		}
		if v.Slashed.IsValid() && v.Slashed.IsPositive() {
			slashed = append(slashed, fmt.Sprintf("%s (%s)", v.Auditor, v.Slashed))
		}
	}
	var lines []string
	switch au.State {
	case quorumtypes.AuditPassed:
		lines = append(lines, fmt.Sprintf("audit %d PASSED at height %d: the committee's majority (%d of %d) computed the receipt's output hash %x: provider %s's receipt of lease %d task %d stands",
			id, au.DecidedHeight, with, len(au.Committee), au.MajorityOutputHash, au.Provider, au.LeaseId, au.TaskSeq))
	case quorumtypes.AuditFailed:
		lines = append(lines, fmt.Sprintf("audit %d FAILED at height %d: the committee's majority (%d of %d) computed output hash %x, but provider %s's receipt of lease %d task %d signs %x",
			id, au.DecidedHeight, with, len(au.Committee), au.MajorityOutputHash, au.Provider, au.LeaseId, au.TaskSeq, au.ReceiptOutputHash),
			fmt.Sprintf("audit %d: the provider's lease bond slashed: %s; paid to the requester: %s", id, coin(au.BondSlashed), coin(au.ToRequester)))
	default:
		lines = append(lines, fmt.Sprintf("audit %d INCONCLUSIVE at height %d: no output hash was revealed by a majority of the committee; paid back to the requester: %s",
			id, au.DecidedHeight, coin(au.ToRequester)))
	}
	if len(slashed) > 0 {
		lines = append(lines, fmt.Sprintf("audit %d: committee members whose verifier deposit was slashed: %s", id, strings.Join(slashed, ", ")))
	}
	return lines
}

func coin(c sdk.Coin) string {
	if !c.IsValid() {
		return "nothing"
	}
	return c.String()
}

// AuditReport is an audit's outcome as `fogd client audit --output json` prints it.
type AuditReport struct {
	AuditID            uint64   `json:"audit_id"`
	LeaseID            uint64   `json:"lease_id"`
	TaskSeq            uint64   `json:"task_seq"`
	Provider           string   `json:"provider"`
	Committee          []string `json:"committee"`
	CommitDeadline     int64    `json:"commit_deadline"`
	RevealDeadline     int64    `json:"reveal_deadline"`
	State              string   `json:"state"`
	ReceiptOutputHash  string   `json:"receipt_output_hash"`
	MajorityOutputHash string   `json:"majority_output_hash"`
	BondSlashed        string   `json:"bond_slashed"`
	ToRequester        string   `json:"to_requester"`
	SlashedAuditors    []string `json:"slashed_auditors"`
	DecidedHeight      int64    `json:"decided_height"`
	Error              string   `json:"error,omitempty"`
}

// Report is the outcome as an AuditReport.
func (o AuditOutcome) Report() AuditReport {
	var r AuditReport
	if o.Receipt != nil && o.Receipt.Receipt != nil && o.Receipt.Receipt.Receipt != nil {
		rc := o.Receipt.Receipt.Receipt
		r.LeaseID, r.TaskSeq, r.Provider, r.ReceiptOutputHash = rc.LeaseId, rc.TaskSeq, rc.Provider, hex.EncodeToString(rc.OutputHash)
	}
	r.Committee, r.SlashedAuditors, r.State = []string{}, []string{}, StateName(o.Audit.State)
	if o.Requested != nil {
		r.AuditID, r.Committee = o.Requested.AuditId, o.Requested.Committee
		r.CommitDeadline, r.RevealDeadline = o.Requested.CommitDeadline, o.Requested.RevealDeadline
	}
	if o.Decided() {
		au := o.Audit
		r.MajorityOutputHash, r.DecidedHeight = hex.EncodeToString(au.MajorityOutputHash), au.DecidedHeight
		r.BondSlashed, r.ToRequester = coin(au.BondSlashed), coin(au.ToRequester)
		for _, v := range au.Committee {
			if v.Slashed.IsValid() && v.Slashed.IsPositive() {
				r.SlashedAuditors = append(r.SlashedAuditors, v.Auditor)
			}
		}
	}
	if o.Err != nil {
		r.Error = o.Err.Error()
	}
	return r
}

// AuditDisagreement requests an audit of the receipt of each of d's disagreeing replicas (every
// replica that answered, when there is no majority), with the task's module and input, and follows
// the audits to their verdicts. A replica whose receipt is not anchored yet has its worker asked for
// the inclusion proof (/fog/receipt-proof/1) at each new height for up to ProofBlocks blocks; one
// that is still not anchored then is reported in its outcome instead of audited. The module and input
// are served from a host of its own, listening on AuditListen and named in the requests by
// AuditAnnounce or its listen addresses. ch is the chain (c.Chain in Run).
func (c *Client) AuditDisagreement(ctx context.Context, ch AuditChain, d *Disagreement, module, input []byte) ([]AuditOutcome, error) {
	listen := c.AuditListen
	if len(listen) == 0 {
		listen = DefaultAuditListen
	}
	opts, err := task.HostOptions()
	if err != nil {
		return nil, err
	}
	h, err := libp2p.New(append(opts, libp2p.ListenAddrStrings(listen...))...)
	if err != nil {
		return nil, fmt.Errorf("a libp2p host to serve the audits' data on %v: %w", listen, err)
	}
	defer h.Close()
	outs := make([]AuditOutcome, len(d.Disagreeing))
	var receipts []*wire.AnchoredReceipt
	var at []int
	for i, rep := range d.Disagreeing {
		a := rep.Anchored
		if a == nil || a.BatchId == 0 || a.Proof == nil {
			c.say("lease %d: its receipt is not anchored yet: asking its worker for the proof for up to %d blocks", rep.Lease.Id, c.proofBlocks())
			if a, err = c.awaitProof(ctx, ch, h, rep); err != nil {
				outs[i] = AuditOutcome{Receipt: &wire.AnchoredReceipt{Receipt: &d.Disagreeing[i].Receipt},
					Err: fmt.Errorf("lease %d (provider %s): not audited: %w", rep.Lease.Id, rep.Lease.Provider, err)}
				c.say("%v", outs[i].Err)
				continue
			}
		}
		receipts = append(receipts, a)
		at = append(at, i)
	}
	if len(receipts) == 0 {
		return outs, nil
	}
	aud := &Auditing{Chain: ch, Host: h, Addrs: c.AuditAnnounce, Out: c.Out}
	got, err := aud.Run(ctx, module, input, receipts...)
	for j, o := range got {
		outs[at[j]] = o
	}
	return outs, err
}

// DefaultProofBlocks is the ProofBlocks a zero value takes.
const DefaultProofBlocks = 20

func (c *Client) proofBlocks() int64 {
	if c.ProofBlocks <= 0 {
		return DefaultProofBlocks
	}
	return c.ProofBlocks
}

// awaitProof asks rep's worker for its receipt's inclusion proof at once and at each new height,
// until the receipt is anchored or ProofBlocks blocks have passed since the first height seen. The
// receipt sent back with the proof must be the one delivered, byte for byte.
func (c *Client) awaitProof(ctx context.Context, ch AuditChain, h host.Host, rep Replica) (*wire.AnchoredReceipt, error) {
	info, err := AddrInfo(rep.Provider)
	if err != nil {
		return nil, err
	}
	subCtx, unsubscribe := context.WithCancel(ctx)
	defer unsubscribe()
	events := ch.Subscribe(subCtx, nil)
	var deadline int64
	var lastErr error
	for {
		ev, _, err := next(ctx, events, nil)
		if err != nil {
			return nil, err
		}
		if deadline == 0 {
			deadline = ev.Height + c.proofBlocks()
		}
		a, err := anchor.FetchProof(ctx, h, info, rep.Lease.Id, rep.Receipt.Receipt.TaskSeq)
		switch {
		case err != nil:
			lastErr = err
		case a.BatchId == 0 || a.Proof == nil:
			lastErr = errors.New("the worker has not anchored it")
		case !sameReceipt(a.Receipt, &rep.Receipt):
			return nil, errors.New("the worker's anchored receipt differs from the one it delivered")
		default:
			c.say("lease %d: receipt anchored in batch %d", rep.Lease.Id, a.BatchId)
			return a, nil
		}
		if ev.Height >= deadline {
			return nil, fmt.Errorf("its receipt was not anchored by height %d: %w", deadline, lastErr)
		}
	}
}
