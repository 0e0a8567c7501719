// Package customer is the customer side of the market (`fogd client`): post an order for a WASM
// workload, follow its auction, check the winners' TEE attestations when the order requires one,
// deliver the workload to the winners over /fog/task/1, check their signed receipts, and close the
// leases so unused escrow comes back.
package customer

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"

	"github.com/cosmos/gogoproto/proto"

	"cosmossdk.io/math"
	"github.com/cosmos/cosmos-sdk/crypto/keyring"

	sdk "github.com/cosmos/cosmos-sdk/types"
	signingtypes "github.com/cosmos/cosmos-sdk/types/tx/signing"

	"github.com/fogchain/fog/offchain/anchor"
	"github.com/fogchain/fog/offchain/chain"
	"github.com/fogchain/fog/offchain/runtime"
	"github.com/fogchain/fog/offchain/task"
	"github.com/fogchain/fog/offchain/wire"
	markettypes "github.com/fogchain/fog/x/market/types"
	proofstypes "github.com/fogchain/fog/x/proofs/types"
	reputationtypes "github.com/fogchain/fog/x/reputation/types"
	teetypes "github.com/fogchain/fog/x/tee/types"
)

// Order is what the customer asks for.
type Order struct {
	Module       []byte
	Input        []byte
	MaxPrice     sdk.Coin
	LeaseBlocks  uint64
	Tier         markettypes.Tier
	Privacy      markettypes.Privacy
	Resources    markettypes.Resources
	CommitBlocks uint64
	RevealBlocks uint64
	// MinReputationTier of bidders (unspecified: any).
	MinReputationTier reputationtypes.Tier
	// TeeRequired: only providers attested in x/tee may bid (implied by a TeeType and by the
	// confidential and secret privacy levels); TeeType names the TEE type they must be attested as.
	TeeRequired bool
	TeeType     teetypes.TeeType
}

// Replica is what one winner did.
type Replica struct {
	Lease    markettypes.Lease
	Provider markettypes.Provider
	// Enclave is the provider's enclave record the receipt's attestation hash matched (TEE orders).
	Enclave *teetypes.Enclave
	Output  []byte
	Receipt wire.SignedReceipt
	// WorkloadErr is nil when the workload ran to a clean exit, and otherwise says how it failed
	// (WorkloadError); the receipt is valid all the same.
	WorkloadErr error
	// Anchored is the receipt with its inclusion proof, once the worker anchored it.
	Anchored *wire.AnchoredReceipt
	// Closed is the lease after the customer closed it.
	Closed markettypes.Lease
}

// Result of a run.
type Result struct {
	Order markettypes.Order
	// Replicas are the leases whose workers answered with a receipt that passed the delivery checks,
	// in lease order.
	Replicas []Replica
	// Output is the run's result: the output of the one replica of a single-replica order, and the
	// majority's output for a replicated order (nil without a majority).
	Output []byte
	// Tally is the vote of a replicated order's replicas (nil for a single-replica order).
	Tally *Tally
	// Disagreement lists the replicas of a replicated order that signed another outcome than the
	// majority (every replica that answered, when there is no majority); nil when all valid receipts
	// agree.
	Disagreement *Disagreement
	// Audits are the audits of the disagreeing replicas' receipts (Client.AuditDisagreement), one per
	// disagreeing replica; nil when there was no disagreement or NoAudit was set.
	Audits []AuditOutcome
	// AuditErr: following the audits stopped before every one was decided (the context ended, the
	// chain client stopped). It does not fail the run: the audits go on on chain.
	AuditErr error
	// Spent is what the order cost the owner in the end: the escrow less every refund. Gained is
	// what it brought in net instead (an audit that slashed a replica's bond pays the requester more
	// than the order cost); one of them is zero.
	Spent, Gained sdk.Coin
}

// Client runs orders for one key. It follows its order on the chain client's block subscription:
// the auction's progress, the settlement, the start of its leases and the anchoring of its receipts
// come as events, and state is read again only when an event says it changed or on a resync.
type Client struct {
	Chain   *chain.Client
	Keyring keyring.Keyring
	KeyName string
	// Out receives progress lines.
	Out io.Writer
	// StartWait bounds the wait for a winner to start its lease.
	StartWait time.Duration
	// AnchorWait bounds the wait for the worker to anchor the receipt after the lease closed.
	AnchorWait time.Duration

	// NoAudit: request no audit when the replicas of a replicated order disagree.
	NoAudit bool
	// KeepLeases: leave the order's leases open after the run (for more tasks, an audit with
	// `fogd client audit`, or a watch); the owner closes them. Otherwise each lease is closed once
	// nothing can need it: at once for one replica, after the vote (and the audits of disagreeing
	// replicas, whose leases must stay active until their verdicts) for several.
	KeepLeases bool
	// AuditListen are the listen multiaddrs of the host that serves the module and input to audit
	// committees (DefaultAuditListen when empty); AuditAnnounce, when set, the multiaddrs the audit
	// requests name instead of the host's listen addresses.
	AuditListen, AuditAnnounce []string
	// ProofBlocks bounds, in blocks, the wait for a disagreeing replica's receipt to be anchored
	// before its audit is requested (DefaultProofBlocks when 0).
	ProofBlocks int64
}

func (c *Client) say(format string, args ...any) {
	if c.Out != nil {
		fmt.Fprintf(c.Out, format+"\n", args...)
	}
}

// Run posts the order and carries it through: auction, delivery, receipts, closing.
func (c *Client) Run(ctx context.Context, o Order) (*Result, error) {
	owner := c.Chain.Address()
	// a module that cannot run would only cost the escrow's gas and the winners' time
	if err := runtime.CheckModule(ctx, o.Module); err != nil {
		return nil, fmt.Errorf("the workload is not a WASI command this market can run: %w", err)
	}
	// Subscribed before the order exists, so that nothing that happens to it is missed.
	w := &watch{leases: map[uint64]bool{}, anchored: map[uint64]bool{}}
	subCtx, unsubscribe := context.WithCancel(ctx)
	defer unsubscribe()
	events := c.Chain.Subscribe(subCtx, w.filter)
	hash := sha256.Sum256(o.Module)
	res, err := c.Chain.Broadcast(ctx, &markettypes.MsgCreateOrder{
		Owner: owner.String(), Resources: o.Resources, Tier: o.Tier, Privacy: o.Privacy,
		WorkloadHash: hash[:], LeaseBlocks: o.LeaseBlocks, MaxPricePerBlock: o.MaxPrice,
		CommitBlocks: o.CommitBlocks, RevealBlocks: o.RevealBlocks, MinReputationTier: o.MinReputationTier,
		TeeRequired: o.TeeRequired, TeeType: o.TeeType,
	})
	if err != nil {
		return nil, fmt.Errorf("creating the order: %w", err)
	}
	var created markettypes.MsgCreateOrderResponse
	if err := chain.MsgResponse(res, &created); err != nil {
		return nil, err
	}
	w.setOrder(created.OrderId)
	order, err := c.Chain.Order(ctx, created.OrderId)
	if err != nil {
		return nil, err
	}
	balanceBefore, err := c.balance(ctx, o.MaxPrice.Denom)
	if err != nil {
		return nil, err
	}
	balanceBefore = balanceBefore.Add(order.Escrow) // as if the escrow had not left yet
	c.say("order %d created: %s, %d replica(s), escrow %s, workload %x", order.Id, order.Tier, order.Replicas, order.Escrow, hash)
	if order.TeeRequired {
		c.say("order %d requires a TEE (type %s): only attested providers can bid", order.Id, order.TeeType.Short())
	}
	c.say("commit phase until height %d, reveal phase until height %d", order.CommitDeadline, order.RevealDeadline)

	order, settled, err := c.awaitSettlement(ctx, events, order)
	if err != nil {
		return nil, err
	}
	if order.State != markettypes.OrderMatched {
		return &Result{Order: order}, fmt.Errorf("order %d %s (%s): the escrow was refunded", order.Id, order.State, order.CloseReason)
	}
	c.say("auction settled: clearing price %s per block", order.ClearingPrice)

	leases, err := c.leasesOf(ctx, order.Id, settled)
	if err != nil {
		return nil, err
	}
	for _, l := range leases {
		w.addLease(l.Id)
	}
	opts, err := task.HostOptions()
	if err != nil {
		return nil, err
	}
	h, err := libp2p.New(append(opts, libp2p.NoListenAddrs)...)
	if err != nil {
		return nil, err
	}
	defer h.Close()

	const seq = 1 // one task per lease
	ballots := make([]Ballot, len(leases))
	var closeErr error
	for i, l := range leases {
		rep, err := c.deliver(ctx, events, h, order, l, o, seq)
		switch {
		case err != nil:
			c.say("lease %d (provider %s): %v", l.Id, l.Provider, err)
		case rep.WorkloadErr != nil:
			c.say("lease %d (provider %s): %v", l.Id, l.Provider, rep.WorkloadErr)
		}
		ballots[i] = Ballot{Lease: l, Replica: rep, Err: err}
		// Close whatever happened, so the unused escrow comes back, unless the lease is kept (for
		// more tasks, an audit or a watch) or may have to be audited: an audit needs an active lease
		// (its bond is what a failed audit slashes), so a replicated order's leases stay open until
		// the vote says which are disagreeing and their audits are decided.
		if !c.KeepLeases && !c.auditsPossible(order) {
			closeErr = errors.Join(closeErr, c.closeInto(ctx, l.Id, rep))
		}
	}
	// The workers anchor a lease's receipts at the latest when it closes: fetch each inclusion proof
	// and check it.
	for i := range ballots {
		b := &ballots[i]
		if b.Replica == nil {
			continue
		}
		anchored, err := c.awaitAnchor(ctx, events, w, h, *b.Replica)
		if err != nil {
			c.say("lease %d: receipt not anchored: %v", b.Lease.Id, err)
			b.Err = fmt.Errorf("receipt not anchored: %w", err)
			continue
		}
		b.Replica.Anchored = anchored
	}
	result := &Result{Order: order}
	for _, b := range ballots {
		if b.Replica != nil {
			result.Replicas = append(result.Replicas, *b.Replica)
		}
	}
	var runErr error
	if order.Replicas > 1 {
		runErr = c.conclude(result, c.Chain.ChainID(), seq, o, ballots)
		d := result.Disagreement
		audited := map[uint64]bool{}
		if d != nil && !c.NoAudit {
			for _, r := range d.Disagreeing {
				audited[r.Lease.Id] = true
			}
		}
		// the leases nobody audits close now; the audited ones after their verdicts
		if !c.KeepLeases && c.auditsPossible(order) {
			closeErr = errors.Join(closeErr, c.closeBallots(ctx, ballots, func(id uint64) bool { return !audited[id] }))
		}
		if len(audited) > 0 {
			// the evidence is in hand: a committee re-executes each disagreeing receipt's task
			result.Audits, result.AuditErr = c.AuditDisagreement(ctx, c.Chain, d, o.Module, o.Input)
			if result.AuditErr != nil {
				c.say("order %d: WARNING: following the audits stopped before their verdicts: %v", order.Id, result.AuditErr)
			}
			if !c.KeepLeases {
				closeErr = errors.Join(closeErr, c.closeBallots(ctx, ballots, func(id uint64) bool { return audited[id] }))
			}
		}
		for i := range result.Replicas {
			for _, b := range ballots {
				if b.Replica != nil && b.Lease.Id == result.Replicas[i].Lease.Id {
					result.Replicas[i].Closed = b.Replica.Closed
				}
			}
		}
	} else {
		runErr = single(result, ballots)
	}
	if c.KeepLeases {
		for _, b := range ballots {
			c.say("lease %d (provider %s) is left open (--keep-lease): close it with `fogd tx market close-lease %d`", b.Lease.Id, b.Lease.Provider, b.Lease.Id)
		}
	}
	if after, err := c.balance(ctx, o.MaxPrice.Denom); err == nil {
		zero := sdk.NewCoin(balanceBefore.Denom, math.ZeroInt())
		result.Spent, result.Gained = zero, zero
		if after.IsLT(balanceBefore) {
			result.Spent = balanceBefore.Sub(after)
		} else {
			result.Gained = after.Sub(balanceBefore)
		}
	}
	return result, errors.Join(runErr, closeErr)
}

// single concludes a single-replica order: its output is the result, and any failure of its lease
// (delivery, receipt, anchoring, or the workload itself) is the run's.
func single(result *Result, ballots []Ballot) error {
	var err error
	for _, b := range ballots {
		if b.Replica != nil {
			result.Output = b.Replica.Output
			if b.Replica.WorkloadErr != nil {
				err = errors.Join(err, fmt.Errorf("lease %d: %w", b.Lease.Id, b.Replica.WorkloadErr))
			}
		}
		if b.Err != nil {
			err = errors.Join(err, fmt.Errorf("lease %d: %w", b.Lease.Id, b.Err))
		}
	}
	return err
}

// conclude votes on the outcomes of a replicated order's replicas and prints the vote. The majority's
// output is the result. A replica that failed or disagrees does not fail the run when there is a
// majority: it is reported, and a disagreement is returned in result.Disagreement. Without a majority
// the run fails with a *NoMajorityError (joined with the failed replicas' errors) and has no output.
// A majority whose run did not exit cleanly fails the run with the workload's error, as a single
// replica's would.
func (c *Client) conclude(result *Result, chainID string, seq uint64, o Order, ballots []Ballot) error {
	t := Vote(chainID, result.Order.Id, seq, o.Module, o.Input, ballots)
	for _, line := range t.Lines() {
		c.say("%s", line)
	}
	result.Tally, result.Output = t, t.Output
	if d := t.Disagreement(); d != nil {
		result.Disagreement = d
		leases := make([]string, len(d.Disagreeing))
		for i, r := range d.Disagreeing {
			leases[i] = fmt.Sprintf("lease %d (provider %s)", r.Lease.Id, r.Lease.Provider)
		}
		what := fmt.Sprintf("%d replicas disagree with the majority: %s; the majority's output is the result",
			len(d.Disagreeing), strings.Join(leases, ", "))
		if len(d.Disagreeing) == 1 {
			what = fmt.Sprintf("1 replica disagrees with the majority: %s; the majority's output is the result", leases[0])
		}
		if d.Majority == nil {
			what = "the replicas disagree: " + strings.Join(leases, ", ")
		}
		if c.NoAudit {
			c.say("order %d: WARNING: %s. No audit is requested (--no-audit)", result.Order.Id, what)
		} else {
			c.say("order %d: WARNING: %s. An audit of each disagreeing receipt is requested", result.Order.Id, what)
		}
	}
	if t.Majority == nil {
		err := t.Err()
		for _, b := range t.Ballots {
			if b.Err != nil {
				err = errors.Join(err, fmt.Errorf("lease %d: %w", b.Lease.Id, b.Err))
			}
		}
		return err
	}
	if rep := t.majorityReplica(); rep.WorkloadErr != nil {
		return fmt.Errorf("order %d: the majority's run: %w", result.Order.Id, rep.WorkloadErr)
	}
	return nil
}

func (c *Client) balance(ctx context.Context, denom string) (sdk.Coin, error) {
	return c.Chain.Balance(ctx, c.Chain.Address().String(), denom)
}

// errUnsubscribed: the block subscription ended (the chain client stopped).
var errUnsubscribed = errors.New("the block subscription ended")

// watch selects the events of the customer's own order and leases; the subscription calls filter on
// its own goroutine. It also remembers which leases had a batch anchored, whoever reads the event.
type watch struct {
	mu       sync.Mutex
	order    uint64
	leases   map[uint64]bool
	anchored map[uint64]bool
}

func (w *watch) setOrder(id uint64) {
	w.mu.Lock()
	w.order = id
	w.mu.Unlock()
}

func (w *watch) addLease(id uint64) {
	w.mu.Lock()
	w.leases[id] = true
	w.mu.Unlock()
}

func (w *watch) filter(m proto.Message) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	switch m := m.(type) {
	case *markettypes.EventBidCommitted:
		return m.OrderId == w.order
	case *markettypes.EventAuctionSettled:
		return m.OrderId == w.order
	case *markettypes.EventOrderFailed:
		return m.OrderId == w.order
	case *markettypes.EventOrderCancelled:
		return m.OrderId == w.order
	case *markettypes.EventLeaseStarted:
		return w.leases[m.LeaseId]
	case *markettypes.EventLeaseClosed:
		return m.OrderId == w.order
	case *proofstypes.EventBatchAnchored:
		if w.leases[m.LeaseId] {
			w.anchored[m.LeaseId] = true
			return true
		}
	}
	return false
}

// hasAnchored tells whether a batch of the lease was anchored since the subscription started.
func (w *watch) hasAnchored(leaseID uint64) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.anchored[leaseID]
}

// next waits for the next event of the subscription.
func next(ctx context.Context, events <-chan chain.Event, timeout <-chan time.Time) (chain.Event, bool, error) {
	select {
	case <-ctx.Done():
		return chain.Event{}, false, ctx.Err()
	case <-timeout:
		return chain.Event{}, true, nil
	case ev, ok := <-events:
		if !ok {
			return ev, false, errUnsubscribed
		}
		return ev, false, nil
	}
}

// awaitSettlement follows the auction until the order leaves the open state, printing its progress
// at the heights the chain reports. The order is read again when a bid lands, when the auction ends,
// and on a resync; never block by block. It returns the settlement event when it saw one.
func (c *Client) awaitSettlement(ctx context.Context, events <-chan chain.Event, o markettypes.Order) (markettypes.Order, *markettypes.EventAuctionSettled, error) {
	phase, bids := "", -1
	for {
		ev, _, err := next(ctx, events, nil)
		if err != nil {
			return o, nil, err
		}
		changed := ev.Resync
		var settled *markettypes.EventAuctionSettled
		for _, m := range ev.Events {
			switch m := m.(type) {
			case *markettypes.EventAuctionSettled:
				settled, changed = m, true
			case *markettypes.EventBidCommitted, *markettypes.EventOrderFailed, *markettypes.EventOrderCancelled:
				changed = true
			}
		}
		if changed {
			cur, err := c.Chain.Order(ctx, o.Id)
			if err != nil {
				return o, nil, err
			}
			if o = cur; o.State != markettypes.OrderOpen {
				return o, settled, nil
			}
		}
		h := ev.Height
		switch {
		case h <= o.CommitDeadline:
			// the commit phase is a wait: show each new sealed bid as it lands
			if phase != "commit" || int(o.BidCount) != bids {
				c.say("height %d: commit phase until height %d, %d sealed bid(s) so far", h, o.CommitDeadline, o.BidCount)
				phase, bids = "commit", int(o.BidCount)
			}
		case h <= o.RevealDeadline:
			if phase != "reveal" {
				phase = "reveal"
				c.say("height %d: reveal phase until height %d, %d sealed bid(s) committed", h, o.RevealDeadline, o.BidCount)
			}
		default:
			// EndBlock settles the oldest due auctions first; a busy block carries the rest over
			if phase != "settling" {
				phase = "settling"
				c.say("height %d: waiting for the settlement (due at the end of block %d)", h, o.RevealDeadline)
			}
		}
	}
}

// leasesOf reads the order's leases: those the settlement event named, or, when the settlement was
// not seen (a resync), the order's leases as listed.
func (c *Client) leasesOf(ctx context.Context, orderID uint64, settled *markettypes.EventAuctionSettled) ([]markettypes.Lease, error) {
	if settled == nil {
		return c.Chain.OrderLeases(ctx, orderID)
	}
	out := make([]markettypes.Lease, 0, len(settled.LeaseIds))
	for _, id := range settled.LeaseIds {
		l, err := c.Chain.Lease(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, nil
}

// startedOrClosed tells whether an event starts or closes a lease.
func startedOrClosed(ev chain.Event, leaseID uint64) bool {
	for _, m := range ev.Events {
		switch m := m.(type) {
		case *markettypes.EventLeaseStarted:
			if m.LeaseId == leaseID {
				return true
			}
		case *markettypes.EventLeaseClosed:
			if m.LeaseId == leaseID {
				return true
			}
		}
	}
	return false
}

// deliver waits for the lease to start, checks the provider's attestation if the order requires a
// TEE, sends the workload to its worker and checks the receipt.
func (c *Client) deliver(ctx context.Context, events <-chan chain.Event, h host.Host, order markettypes.Order, l markettypes.Lease, o Order, seq uint64) (*Replica, error) {
	if l.State == markettypes.LeasePending {
		// its start may have been announced while an earlier lease was being served
		cur, err := c.Chain.Lease(ctx, l.Id)
		if err != nil {
			return nil, err
		}
		l = cur
	}
	timeout := time.NewTimer(c.StartWait)
	defer timeout.Stop()
	for l.State == markettypes.LeasePending {
		ev, timedOut, err := next(ctx, events, timeout.C)
		if err != nil {
			return nil, err
		}
		if timedOut {
			return nil, fmt.Errorf("the provider did not start the lease within %s", c.StartWait)
		}
		if ev.Resync || startedOrClosed(ev, l.Id) {
			if l, err = c.Chain.Lease(ctx, l.Id); err != nil {
				return nil, err
			}
		}
	}
	if l.State != markettypes.LeaseActive {
		return nil, fmt.Errorf("lease is %s (%s)", l.State, l.CloseReason)
	}
	prov, found, err := c.Chain.Provider(ctx, l.Provider)
	if err != nil || !found {
		return nil, fmt.Errorf("provider %s: not registered (%v)", l.Provider, err)
	}
	info, err := AddrInfo(prov)
	if err != nil {
		return nil, err
	}
	var enclave *teetypes.Enclave
	if order.TeeRequired {
		// before the workload leaves: a refusal here sends nothing, and the lease is closed
		if enclave, err = c.enclave(ctx, order, prov); err != nil {
			return nil, err
		}
		c.say("lease %d: provider %s attested as %s, measurement %s, valid until height %d",
			l.Id, l.Provider, enclave.TeeType.Short(), enclave.Measurement, enclave.ExpiryHeight)
	}
	c.say("lease %d active with provider %s (peer %s): delivering %d bytes of WASM and %d bytes of input",
		l.Id, l.Provider, info.ID, len(o.Module), len(o.Input))
	rep, err := DeliverTask(ctx, h, c.Chain.ChainID(), prov, l, seq, o.Module, o.Input, KeyringSigner{Keyring: c.Keyring, Name: c.KeyName})
	if err != nil {
		return nil, err
	}
	c.say("lease %d: output %d bytes, receipt signed by the provider's worker key verifies (status %d, %dµs)",
		l.Id, len(rep.Output), rep.Receipt.Receipt.Status, rep.Receipt.Receipt.DurationMicros)
	if enclave != nil {
		got := rep.Receipt.Receipt.AttestationHash
		if !bytes.Equal(got, enclave.EvidenceHash) {
			// the worker may have attested again since: its new record must pass the same checks
			if enclave, err = c.enclave(ctx, order, prov); err != nil {
				return nil, fmt.Errorf("receipt rejected: %w", err)
			}
		}
		if err := CheckAttestationHash(got, *enclave); err != nil {
			return nil, fmt.Errorf("receipt rejected: %w", err)
		}
		c.say("lease %d: the receipt carries the provider's current attestation (evidence %s)", l.Id, hex.EncodeToString(got))
	}
	rep.Enclave = enclave
	return rep, nil
}

// DeliverTask sends task seq of lease l (module and input) to the worker of provider prov over
// /fog/task/1, signed by signer (the order's owner), and checks the receipt (CheckReceipt). A
// workload that did not exit cleanly is no error here: the replica's WorkloadErr says how it failed.
func DeliverTask(ctx context.Context, h host.Host, chainID string, prov markettypes.Provider, l markettypes.Lease, seq uint64, module, input []byte, signer task.Signer) (*Replica, error) {
	info, err := AddrInfo(prov)
	if err != nil {
		return nil, err
	}
	resp, err := task.Send(ctx, h, info, task.Task{ChainID: chainID, LeaseID: l.Id, Seq: seq, Module: module, Input: input}, signer)
	if err != nil {
		return nil, err
	}
	if err := CheckReceipt(*resp.Receipt, chainID, prov.WorkerPubkey, l, seq, module, input, resp.Output); err != nil {
		return nil, fmt.Errorf("receipt rejected: %w", err)
	}
	return &Replica{Lease: l, Provider: prov, Output: resp.Output, Receipt: *resp.Receipt, WorkloadErr: WorkloadError(resp)}, nil
}

// WorkloadError is nil when the workload ran to a clean exit, and otherwise says how it failed: the
// signed status and exit code, the worker's account of why, and the start of its stderr.
func WorkloadError(resp *wire.TaskResponse) error {
	r := resp.Receipt.Receipt
	if r.Status == 0 {
		return nil
	}
	msg := fmt.Sprintf("the workload failed: %s", runtime.Status(r.Status))
	if runtime.Status(r.Status) == runtime.StatusExit {
		msg += fmt.Sprintf(" with exit code %d", r.ExitCode)
	}
	if resp.WorkloadError != "" {
		msg += ": " + resp.WorkloadError
	}
	if stderr := strings.TrimSpace(string(resp.WorkloadStderr)); stderr != "" {
		msg += "\nits stderr:\n" + stderr
	}
	return errors.New(msg)
}

// enclave reads the provider's enclave record and checks it for the order.
func (c *Client) enclave(ctx context.Context, order markettypes.Order, prov markettypes.Provider) (*teetypes.Enclave, error) {
	res, found, err := c.Chain.Enclave(ctx, prov.Owner)
	if err != nil {
		return nil, fmt.Errorf("reading provider %s's attestation: %w", prov.Owner, err)
	}
	if err := CheckEnclave(res, found, order, prov.WorkerPubkey); err != nil {
		return nil, fmt.Errorf("not delivering: %w", err)
	}
	return &res.Enclave, nil
}

// CheckEnclave checks, for an order that requires a TEE, a provider's enclave record as x/tee's
// Enclave query returned it: there is one, it is valid, it is of the order's TEE type (when the
// order names one), and it binds the provider's registered worker key (the key that serves the
// lease and signs receipts).
func CheckEnclave(res teetypes.QueryEnclaveResponse, found bool, order markettypes.Order, workerKey []byte) error {
	e := res.Enclave
	switch {
	case !found:
		return fmt.Errorf("the order requires a TEE and the provider never attested")
	case !res.Valid:
		return fmt.Errorf("the provider's attestation expired at height %d", e.ExpiryHeight)
	case order.TeeType != teetypes.TeeTypeUnspecified && e.TeeType != order.TeeType:
		return fmt.Errorf("the provider is attested as %s, the order requires %s", e.TeeType.Short(), order.TeeType.Short())
	case !bytes.Equal(e.WorkerPubkey, workerKey):
		return fmt.Errorf("the provider's attestation binds worker key %x, its registered worker key is %x", e.WorkerPubkey, workerKey)
	}
	return nil
}

// CheckAttestationHash checks that a receipt's attestation hash is the evidence hash of the
// provider's enclave record.
func CheckAttestationHash(hash []byte, e teetypes.Enclave) error {
	switch {
	case len(hash) == 0:
		return errors.New("the order requires a TEE and the receipt carries no attestation hash")
	case !bytes.Equal(hash, e.EvidenceHash):
		return fmt.Errorf("the receipt's attestation hash %x is not the provider's current attestation %x", hash, e.EvidenceHash)
	}
	return nil
}

// auditsPossible is whether the run may request audits of the order's leases: replicated orders
// whose disagreements are audited.
func (c *Client) auditsPossible(order markettypes.Order) bool {
	return order.Replicas > 1 && !c.NoAudit
}

// closeInto closes a lease and records it in rep (when there is one).
func (c *Client) closeInto(ctx context.Context, leaseID uint64, rep *Replica) error {
	closed, err := c.close(ctx, leaseID)
	if err != nil {
		return err
	}
	if rep != nil {
		rep.Closed = closed
	}
	return nil
}

// closeBallots closes the ballots' leases that which selects.
func (c *Client) closeBallots(ctx context.Context, ballots []Ballot, which func(uint64) bool) error {
	var errs error
	for _, b := range ballots {
		if which(b.Lease.Id) {
			errs = errors.Join(errs, c.closeInto(ctx, b.Lease.Id, b.Replica))
		}
	}
	return errs
}

func (c *Client) close(ctx context.Context, leaseID uint64) (markettypes.Lease, error) {
	if _, err := c.Chain.Broadcast(ctx, &markettypes.MsgCloseLease{Sender: c.Chain.Address().String(), LeaseId: leaseID}); err != nil {
		if !errors.Is(err, markettypes.ErrLeaseClosed) {
			return markettypes.Lease{}, fmt.Errorf("closing lease %d: %w", leaseID, err)
		}
	}
	l, err := c.Chain.Lease(ctx, leaseID)
	if err == nil {
		c.say("lease %d closed (%s): provider paid %s", l.Id, l.CloseReason, l.Paid)
	}
	return l, err
}

// AddrInfo is the libp2p address of a registered provider.
func AddrInfo(p markettypes.Provider) (peer.AddrInfo, error) {
	id, err := peer.Decode(p.PeerId)
	if err != nil {
		return peer.AddrInfo{}, fmt.Errorf("provider %s peer id: %w", p.Owner, err)
	}
	info := peer.AddrInfo{ID: id}
	for _, s := range p.Multiaddrs {
		a, err := ma.NewMultiaddr(s)
		if err != nil {
			return info, fmt.Errorf("provider %s multiaddr %q: %w", p.Owner, s, err)
		}
		info.Addrs = append(info.Addrs, a)
	}
	if len(info.Addrs) == 0 {
		return info, fmt.Errorf("provider %s registered no multiaddrs", p.Owner)
	}
	return info, nil
}

// CheckReceipt verifies a receipt's signature against the provider's registered worker key and that
// it speaks of this chain, lease, provider, task, module, input and output.
func CheckReceipt(r wire.SignedReceipt, chainID string, workerKey []byte, l markettypes.Lease, seq uint64, module, input, output []byte) error {
	if err := r.Verify(workerKey); err != nil {
		return err
	}
	rc := r.Receipt
	switch {
	case rc.ChainId != chainID:
		return fmt.Errorf("receipt is for chain %q, not %q", rc.ChainId, chainID)
	case rc.Provider != l.Provider:
		return fmt.Errorf("receipt names provider %s, the lease's is %s", rc.Provider, l.Provider)
	case rc.LeaseId != l.Id || rc.TaskSeq != seq:
		return fmt.Errorf("receipt is for lease %d task %d, not lease %d task %d", rc.LeaseId, rc.TaskSeq, l.Id, seq)
	case !bytes.Equal(rc.ModuleHash, wire.Hash(module)):
		return errors.New("receipt names another module")
	case !bytes.Equal(rc.InputHash, wire.Hash(input)):
		return errors.New("receipt names another input")
	case !bytes.Equal(rc.OutputHash, wire.Hash(output)):
		return errors.New("receipt's output hash does not match the output received")
	}
	return nil
}

// KeyringSigner signs task headers with a keyring key.
type KeyringSigner struct {
	Keyring keyring.Keyring
	Name    string
}

// Sign implements task.Signer.
func (s KeyringSigner) Sign(msg []byte) ([]byte, []byte, error) {
	sig, pub, err := s.Keyring.Sign(s.Name, msg, signingtypes.SignMode_SIGN_MODE_DIRECT)
	if err != nil {
		return nil, nil, err
	}
	return sig, pub.Bytes(), nil
}

// PublicKey implements task.PublicKeySigner.
func (s KeyringSigner) PublicKey() ([]byte, error) {
	rec, err := s.Keyring.Key(s.Name)
	if err != nil {
		return nil, err
	}
	pub, err := rec.GetPubKey()
	if err != nil {
		return nil, err
	}
	return pub.Bytes(), nil
}

// awaitAnchor gets the receipt's inclusion proof from the replica's worker once the receipt is
// anchored, and checks the proof against the batch on chain. It asks at once, then again at each
// block from the first x/proofs anchoring event of the lease (or a resync) on: the worker records the
// batch just after its transaction is included.
func (c *Client) awaitAnchor(ctx context.Context, events <-chan chain.Event, w *watch, h host.Host, rep Replica) (*wire.AnchoredReceipt, error) {
	info, err := AddrInfo(rep.Provider)
	if err != nil {
		return nil, err
	}
	timeout := time.NewTimer(c.AnchorWait)
	defer timeout.Stop()
	var lastErr error
	// announced: an anchoring event of the lease (or a resync) was seen, so the worker's record of
	// the batch is due; until then, asking again is only worth it after a failed exchange
	announced, ask := false, true
	for {
		if ask {
			a, err := anchor.FetchProof(ctx, h, info, rep.Lease.Id, rep.Receipt.Receipt.TaskSeq)
			lastErr = err
			if err == nil && a.BatchId != 0 {
				// the worker sends its copy of the receipt back with the proof: it must be the very receipt
				// delivered with the output and checked then, byte for byte, signature included
				if !sameReceipt(a.Receipt, &rep.Receipt) {
					return nil, fmt.Errorf("lease %d: the worker's anchored receipt differs from the one it delivered", rep.Lease.Id)
				}
				if err := c.Chain.CheckInclusion(ctx, a); err != nil {
					return nil, err
				}
				c.say("lease %d: receipt anchored in batch %d; its inclusion verifies on chain", rep.Lease.Id, a.BatchId)
				return a, nil
			}
		}
		ev, timedOut, err := next(ctx, events, timeout.C)
		if err != nil {
			return nil, err
		}
		if timedOut {
			if lastErr == nil {
				lastErr = fmt.Errorf("not anchored within %s", c.AnchorWait)
			}
			return nil, lastErr
		}
		announced = announced || ev.Resync || w.hasAnchored(rep.Lease.Id)
		ask = announced || lastErr != nil
	}
}

// sameReceipt reports whether two signed receipts are the same bytes.
func sameReceipt(a, b *wire.SignedReceipt) bool {
	if a == nil || b == nil {
		return false
	}
	x, errA := a.Marshal()
	y, errB := b.Marshal()
	return errA == nil && errB == nil && bytes.Equal(x, y)
}
