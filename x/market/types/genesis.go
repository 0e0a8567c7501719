package types

import (
	"fmt"

	"cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/fogchain/fog/internal/accaddr"
)

// DefaultGenesis is an empty market with default params.
func DefaultGenesis() *GenesisState {
	return &GenesisState{Params: DefaultParams(), NextOrderId: 1, NextLeaseId: 1}
}

// genesisError names the field a genesis check failed on.
func genesisError(field string, format string, args ...any) error {
	return fmt.Errorf("%s: %s", field, fmt.Sprintf(format, args...))
}

// canonicalAddress checks that s is an account address in the chain's one spelling (lower-case
// bech32 with the chain's prefix): the form the market stores and compares.
func canonicalAddress(field, s string) (sdk.AccAddress, error) {
	return accaddr.ParseCanonical(accaddr.Codec(), field, s)
}

func checkCoin(field string, c sdk.Coin, denom string) error {
	if err := c.Validate(); err != nil {
		return genesisError(field, "%s", err)
	}
	if denom != "" && c.Denom != denom {
		return genesisError(field, "denom %q, want %q", c.Denom, denom)
	}
	return nil
}

func checkHeight(field string, h int64) error {
	if h < 0 {
		return genesisError(field, "negative height %d", h)
	}
	return nil
}

// Validate checks that the genesis state is one the market's state machine could have reached:
// valid params, canonical addresses, records that satisfy the stateless message checks and the
// invariants between records (ids below their sequences, bids and leases of known orders in
// consistent states, an open order's escrow), and exactly one queue entry for every open order,
// pending lease, active lease and order whose deposits are being swept. Each error names the field.
func (gs GenesisState) Validate() error {
	if err := gs.Params.Validate(); err != nil {
		return fmt.Errorf("params: %w", err)
	}
	if gs.NextOrderId == 0 {
		return genesisError("next_order_id", "must be at least 1 (order ids start at 1)")
	}
	if gs.NextLeaseId == 0 {
		return genesisError("next_lease_id", "must be at least 1 (lease ids start at 1)")
	}
	providers := make(map[string]bool, len(gs.Providers))
	for i, p := range gs.Providers {
		field := fmt.Sprintf("providers[%d]", i)
		if _, err := canonicalAddress(field+".owner", p.Owner); err != nil {
			return err
		}
		if providers[p.Owner] {
			return genesisError(field+".owner", "duplicate provider %s", p.Owner)
		}
		providers[p.Owner] = true
		if err := ValidateProviderFields(p.PeerId, p.Multiaddrs, p.WorkerPubkey, p.Capacity, p.Attributes); err != nil {
			return genesisError(field, "%s", err)
		}
		if err := checkCoin(field+".bond", p.Bond, ""); err != nil {
			return err
		}
		if err := checkHeight(field+".registered_height", p.RegisteredHeight); err != nil {
			return err
		}
		if p.UpdatedHeight < p.RegisteredHeight {
			return genesisError(field+".updated_height", "%d before registered_height %d", p.UpdatedHeight, p.RegisteredHeight)
		}
	}

	orders := make(map[uint64]Order, len(gs.Orders))
	for i, o := range gs.Orders {
		if err := validateGenesisOrder(fmt.Sprintf("orders[%d]", i), o, gs.NextOrderId, orders); err != nil {
			return err
		}
		orders[o.Id] = o
	}

	sweeps := make(map[uint64]bool, len(gs.DepositSweeps))
	for i, s := range gs.DepositSweeps {
		field := fmt.Sprintf("deposit_sweeps[%d]", i)
		o, ok := orders[s.OrderId]
		if !ok {
			return genesisError(field+".order_id", "unknown order %d", s.OrderId)
		}
		if o.State == OrderOpen {
			return genesisError(field+".order_id", "order %d is still open", s.OrderId)
		}
		if sweeps[s.OrderId] {
			return genesisError(field+".order_id", "order %d is swept twice", s.OrderId)
		}
		sweeps[s.OrderId] = true
		if err := checkHeight(field+".height", s.Height); err != nil {
			return err
		}
		if s.After != "" {
			if _, err := canonicalAddress(field+".after", s.After); err != nil {
				return err
			}
		}
	}

	type bidKey struct {
		order    uint64
		provider string
	}
	bids := make(map[bidKey]Bid, len(gs.Bids))
	bidCount := make(map[uint64]uint32, len(orders))
	for i, b := range gs.Bids {
		field := fmt.Sprintf("bids[%d]", i)
		o, ok := orders[b.OrderId]
		if !ok {
			return genesisError(field+".order_id", "unknown order %d", b.OrderId)
		}
		if _, err := canonicalAddress(field+".provider", b.Provider); err != nil {
			return err
		}
		key := bidKey{b.OrderId, b.Provider}
		if _, dup := bids[key]; dup {
			return genesisError(field, "duplicate bid of %s on order %d", b.Provider, b.OrderId)
		}
		bids[key] = b
		bidCount[b.OrderId]++
		if err := validateGenesisBid(field, b, o, sweeps[o.Id]); err != nil {
			return err
		}
	}
	for i, o := range gs.Orders {
		if bidCount[o.Id] != o.BidCount {
			return genesisError(fmt.Sprintf("orders[%d].bid_count", i), "%d, but order %d has %d bids", o.BidCount, o.Id, bidCount[o.Id])
		}
	}

	want := map[string]map[QueueEntry]bool{"settlement_queue": {}, "start_queue": {}, "end_queue": {}}
	for _, o := range gs.Orders {
		if o.State == OrderOpen {
			want["settlement_queue"][QueueEntry{Height: o.RevealDeadline, Id: o.Id}] = true
		}
	}
	leases := make(map[uint64]bool, len(gs.Leases))
	won := make(map[bidKey]bool, len(gs.Leases))
	dearest := make(map[uint64]math.Int, len(gs.Leases)) // order → its dearest lease's price
	dearestOpen := make(map[uint64]math.Int)             // order id → the dearest price of its open leases
	for i, l := range gs.Leases {
		field := fmt.Sprintf("leases[%d]", i)
		if l.Id == 0 || l.Id >= gs.NextLeaseId {
			return genesisError(field+".id", "%d outside [1, next_lease_id %d)", l.Id, gs.NextLeaseId)
		}
		if leases[l.Id] {
			return genesisError(field+".id", "duplicate lease %d", l.Id)
		}
		leases[l.Id] = true
		o, ok := orders[l.OrderId]
		if !ok {
			return genesisError(field+".order_id", "unknown order %d", l.OrderId)
		}
		if err := validateGenesisLease(field, l, o); err != nil {
			return err
		}
		key := bidKey{l.OrderId, l.Provider}
		b, ok := bids[key]
		if !ok || b.State != BidWon || won[key] {
			return genesisError(field+".provider", "%s has no won bid of its own on order %d", l.Provider, l.OrderId)
		}
		won[key] = true
		// a winner is paid at least its bid; a replacement takes the failed lease's price, which
		// was at most the order's clearing price (its dearest winner's) and at least its own bid
		if l.PricePerBlock.Amount.LT(b.Price.Amount) {
			return genesisError(field+".price_per_block", "%s, below the won bid of %s", l.PricePerBlock, b.Price)
		}
		if d, ok := dearest[l.OrderId]; !ok || l.PricePerBlock.Amount.GT(d) {
			dearest[l.OrderId] = l.PricePerBlock.Amount
		}
		switch l.State {
		case LeasePending:
			want["start_queue"][QueueEntry{Height: l.StartDeadline, Id: l.Id}] = true
		case LeaseActive:
			want["end_queue"][QueueEntry{Height: l.EndHeight, Id: l.Id}] = true
		}
		if l.State == LeasePending || l.State == LeaseActive {
			if d, ok := dearestOpen[l.OrderId]; !ok || l.PricePerBlock.Amount.GT(d) {
				dearestOpen[l.OrderId] = l.PricePerBlock.Amount
			}
		}
	}
	for key, b := range bids {
		if b.State == BidWon && !won[key] {
			return genesisError("bids", "won bid of %s on order %d has no lease", key.provider, key.order)
		}
	}
	for i, o := range gs.Orders {
		if d, ok := dearest[o.Id]; ok && !d.Equal(o.ClearingPrice.Amount) {
			return genesisError(fmt.Sprintf("orders[%d].clearing_price", i), "%s, but order %d's dearest lease is paid %s", o.ClearingPrice, o.Id, d)
		}
	}
	// a standby's deposit comes back when no open lease of its order could take it: the market
	// releases it then, so a standby always has an open lease priced at least its bid
	for i, b := range gs.Bids {
		if b.State != BidStandby {
			continue
		}
		if d, ok := dearestOpen[b.OrderId]; !ok || b.Price.Amount.GT(d) {
			return genesisError(fmt.Sprintf("bids[%d].state", i), "standby of %s on order %d, which has no open lease priced at least its bid %s", b.Provider, b.OrderId, b.Price)
		}
	}
	for name, got := range map[string][]QueueEntry{"settlement_queue": gs.SettlementQueue, "start_queue": gs.StartQueue, "end_queue": gs.EndQueue} {
		if len(got) != len(want[name]) {
			return genesisError(name, "%d entries, state needs %d", len(got), len(want[name]))
		}
		seen := make(map[QueueEntry]bool, len(got))
		for i, e := range got {
			if !want[name][e] || seen[e] {
				return genesisError(fmt.Sprintf("%s[%d]", name, i), "entry (%d, %d) matches no record or is repeated", e.Height, e.Id)
			}
			seen[e] = true
		}
	}

	bands := make(map[string]bool, len(gs.PriceBands))
	for i, b := range gs.PriceBands {
		field := fmt.Sprintf("price_bands[%d]", i)
		if b.Tier < TierBronze || b.Tier > TierGold {
			return genesisError(field+".tier", "unknown tier %d", b.Tier)
		}
		if err := sdk.ValidateDenom(b.Denom); err != nil {
			return genesisError(field+".denom", "%s", err)
		}
		key := fmt.Sprintf("%d/%s", b.Tier, b.Denom)
		if bands[key] {
			return genesisError(field, "duplicate band %s %s", b.Tier, b.Denom)
		}
		bands[key] = true
		if b.PricePerMcpuBlock.IsNil() || b.PricePerMcpuBlock.IsNegative() || b.PricePerMcpuBlock.GT(math.LegacyNewDecFromInt(MaxCoinAmount)) {
			return genesisError(field+".price_per_mcpu_block", "must be in [0, %s]", MaxCoinAmount)
		}
		if b.Samples == 0 {
			return genesisError(field+".samples", "a band exists only after a settlement")
		}
		if err := checkHeight(field+".updated_height", b.UpdatedHeight); err != nil {
			return err
		}
	}
	return nil
}

func validateGenesisOrder(field string, o Order, next uint64, seen map[uint64]Order) error {
	if o.Id == 0 || o.Id >= next {
		return genesisError(field+".id", "%d outside [1, next_order_id %d)", o.Id, next)
	}
	if _, dup := seen[o.Id]; dup {
		return genesisError(field+".id", "duplicate order %d", o.Id)
	}
	if _, err := canonicalAddress(field+".owner", o.Owner); err != nil {
		return err
	}
	if err := ValidateOrderFields(&MsgCreateOrder{
		Owner: o.Owner, Resources: o.Resources, Tier: o.Tier, Privacy: o.Privacy, WorkloadHash: o.WorkloadHash,
		LeaseBlocks: o.LeaseBlocks, MaxPricePerBlock: o.MaxPricePerBlock, CommitBlocks: 1, RevealBlocks: 1,
		MinReputationTier: o.MinReputationTier, TeeType: o.TeeType,
	}); err != nil {
		return genesisError(field, "%s", err)
	}
	if o.Replicas == 0 || o.Replicas > MaxReplicas {
		return genesisError(field+".replicas", "%d not in [1, %d]", o.Replicas, MaxReplicas)
	}
	if err := checkHeight(field+".created_height", o.CreatedHeight); err != nil {
		return err
	}
	if o.CommitDeadline <= o.CreatedHeight || o.CommitDeadline-o.CreatedHeight > MaxBlocks {
		return genesisError(field+".commit_deadline", "%d not in (created_height %d, created_height + %d]", o.CommitDeadline, o.CreatedHeight, uint64(MaxBlocks))
	}
	if o.RevealDeadline <= o.CommitDeadline || o.RevealDeadline-o.CommitDeadline > MaxBlocks {
		return genesisError(field+".reveal_deadline", "%d not in (commit_deadline %d, commit_deadline + %d]", o.RevealDeadline, o.CommitDeadline, uint64(MaxBlocks))
	}
	if o.WithdrawDeadline > o.CommitDeadline || o.CommitDeadline-o.WithdrawDeadline > MaxBlocks {
		return genesisError(field+".withdraw_deadline", "%d not in [commit_deadline - %d, commit_deadline %d]", o.WithdrawDeadline, uint64(MaxBlocks), o.CommitDeadline)
	}
	denom := o.MaxPricePerBlock.Denom
	if err := checkCoin(field+".escrow", o.Escrow, denom); err != nil {
		return err
	}
	if err := checkCoin(field+".clearing_price", o.ClearingPrice, denom); err != nil {
		return err
	}
	if o.ClearingPrice.Amount.GT(o.MaxPricePerBlock.Amount) {
		return genesisError(field+".clearing_price", "%s above the max price %s", o.ClearingPrice, o.MaxPricePerBlock)
	}
	if !o.TeeRequired && (o.TeeType != 0 || o.Privacy == PrivacyConfidential || o.Privacy == PrivacySecret) {
		return genesisError(field+".tee_required", "false, but the order's privacy or TEE type requires a TEE")
	}
	switch o.State {
	case OrderOpen:
		escrow, err := o.MaxPricePerBlock.Amount.SafeMul(math.NewIntFromUint64(o.LeaseBlocks))
		if err == nil {
			escrow, err = escrow.SafeMul(math.NewIntFromUint64(uint64(o.Replicas)))
		}
		if err != nil || !o.Escrow.Amount.Equal(escrow) {
			return genesisError(field+".escrow", "%s, an open order escrows max price × lease blocks × replicas", o.Escrow)
		}
		if o.CloseReason != CloseReasonUnspecified || o.ClosedHeight != 0 {
			return genesisError(field+".close_reason", "an open order has no close reason or height")
		}
	case OrderMatched, OrderFailed, OrderCancelled:
		if !o.Escrow.IsZero() {
			return genesisError(field+".escrow", "%s, but a %s order holds no escrow", o.Escrow, o.State)
		}
		if _, ok := CloseReason_name[int32(o.CloseReason)]; !ok {
			return genesisError(field+".close_reason", "unknown close reason %d", o.CloseReason)
		}
		if err := checkHeight(field+".closed_height", o.ClosedHeight); err != nil {
			return err
		}
	default:
		return genesisError(field+".state", "unknown order state %d", o.State)
	}
	return nil
}

func validateGenesisBid(field string, b Bid, o Order, swept bool) error {
	switch b.State {
	case BidCommitted, BidRevealed:
		if o.State != OrderOpen && !swept {
			return genesisError(field+".state", "%s bid on %s order %d, which has no deposit sweep", b.State, o.State, o.Id)
		}
	case BidWon, BidLost, BidStandby:
		if o.State != OrderMatched {
			return genesisError(field+".state", "%s bid on %s order %d", b.State, o.State, o.Id)
		}
	case BidForfeited:
		if o.State != OrderMatched && o.State != OrderFailed {
			return genesisError(field+".state", "forfeited bid on %s order %d", o.State, o.Id)
		}
	case BidReturned:
		if o.State != OrderFailed && o.State != OrderCancelled {
			return genesisError(field+".state", "returned bid on %s order %d", o.State, o.Id)
		}
	default:
		return genesisError(field+".state", "unknown bid state %d", b.State)
	}
	if len(b.Commitment) != CommitmentSize {
		return genesisError(field+".commitment", "want %d bytes, got %d", CommitmentSize, len(b.Commitment))
	}
	if b.CommitHeight < o.CreatedHeight || b.CommitHeight > o.CommitDeadline {
		return genesisError(field+".commit_height", "%d outside order %d's commit phase [%d, %d]", b.CommitHeight, o.Id, o.CreatedHeight, o.CommitDeadline)
	}
	if err := checkCoin(field+".deposit", b.Deposit, ""); err != nil {
		return err
	}
	if err := checkCoin(field+".withdraw_fee", b.WithdrawFee, b.Deposit.Denom); err != nil {
		return err
	}
	if b.WithdrawFee.Amount.GT(b.Deposit.Amount) {
		return genesisError(field+".withdraw_fee", "%s above the deposit %s", b.WithdrawFee, b.Deposit)
	}
	if err := checkCoin(field+".price", b.Price, o.MaxPricePerBlock.Denom); err != nil {
		return err
	}
	// a bid has a price once revealed: revealed, won, lost and standby bids, and returned bids of a
	// failed order (a cancelled order's bids were never revealed)
	revealed := b.State == BidRevealed || b.State == BidWon || b.State == BidLost || b.State == BidStandby ||
		(b.State == BidReturned && o.State == OrderFailed)
	if revealed {
		if !b.Price.IsPositive() || b.Price.Amount.GT(o.MaxPricePerBlock.Amount) {
			return genesisError(field+".price", "%s not in (0, max price %s]", b.Price, o.MaxPricePerBlock)
		}
		if b.RevealHeight <= o.CommitDeadline || b.RevealHeight > o.RevealDeadline {
			return genesisError(field+".reveal_height", "%d outside order %d's reveal phase (%d, %d]", b.RevealHeight, o.Id, o.CommitDeadline, o.RevealDeadline)
		}
	} else if !b.Price.IsZero() || b.RevealHeight != 0 {
		return genesisError(field+".price", "a bid never revealed has no price or reveal height")
	}
	return nil
}

func validateGenesisLease(field string, l Lease, o Order) error {
	if o.State != OrderMatched {
		return genesisError(field+".order_id", "order %d is %s, leases belong to matched orders", o.Id, o.State)
	}
	if l.Owner != o.Owner {
		return genesisError(field+".owner", "%s, but order %d belongs to %s", l.Owner, o.Id, o.Owner)
	}
	if _, err := canonicalAddress(field+".provider", l.Provider); err != nil {
		return err
	}
	denom := o.MaxPricePerBlock.Denom
	if err := checkCoin(field+".price_per_block", l.PricePerBlock, denom); err != nil {
		return err
	}
	// each winner has its own price (a module may price each one), the dearest being the order's
	// clearing price; a replacement takes the price of the lease it replaced
	if !l.PricePerBlock.IsPositive() || l.PricePerBlock.Amount.GT(o.ClearingPrice.Amount) {
		return genesisError(field+".price_per_block", "%s not in (0, order %d's clearing price %s]", l.PricePerBlock, o.Id, o.ClearingPrice)
	}
	// a replacement lease runs for the blocks the lease it replaced had left
	if l.LeaseBlocks == 0 || l.LeaseBlocks > o.LeaseBlocks {
		return genesisError(field+".lease_blocks", "%d not in [1, order %d's %d lease blocks]", l.LeaseBlocks, o.Id, o.LeaseBlocks)
	}
	for _, c := range []struct {
		name string
		coin sdk.Coin
	}{{"escrow", l.Escrow}, {"paid", l.Paid}} {
		if err := checkCoin(field+"."+c.name, c.coin, denom); err != nil {
			return err
		}
	}
	if err := checkCoin(field+".bond", l.Bond, ""); err != nil {
		return err
	}
	// withheld: pay refunded to the owner for breached SLA windows, kept from coming pay (empty in
	// leases from before it existed)
	if l.Withheld.Denom != "" || (!l.Withheld.Amount.IsNil() && !l.Withheld.Amount.IsZero()) {
		if err := checkCoin(field+".withheld", l.Withheld, denom); err != nil {
			return err
		}
		if l.State != LeaseActive && l.Withheld.IsPositive() {
			return genesisError(field+".withheld", "%s, but only an active lease withholds pay", l.Withheld)
		}
	}
	if err := checkHeight(field+".created_height", l.CreatedHeight); err != nil {
		return err
	}
	if l.StartDeadline < l.CreatedHeight || l.StartDeadline-l.CreatedHeight > MaxBlocks {
		return genesisError(field+".start_deadline", "%d not in [created_height %d, created_height + %d]", l.StartDeadline, l.CreatedHeight, uint64(MaxBlocks))
	}
	switch l.State {
	case LeasePending:
		if l.StartHeight != 0 || l.EndHeight != 0 || !l.Paid.IsZero() {
			return genesisError(field+".start_height", "a pending lease has not started, ended or paid")
		}
	case LeaseActive, LeaseClosed:
		if l.State == LeaseActive && (l.StartHeight < l.CreatedHeight || l.StartHeight > l.StartDeadline) {
			return genesisError(field+".start_height", "%d not in [created_height %d, start_deadline %d]", l.StartHeight, l.CreatedHeight, l.StartDeadline)
		}
		if l.State == LeaseActive && l.EndHeight != l.StartHeight+int64(l.LeaseBlocks) {
			return genesisError(field+".end_height", "%d, want start_height + lease_blocks = %d", l.EndHeight, l.StartHeight+int64(l.LeaseBlocks))
		}
		if l.State == LeaseActive && (l.SettledThrough < l.StartHeight || l.SettledThrough > l.EndHeight) {
			return genesisError(field+".settled_through", "%d not in [start_height %d, end_height %d]", l.SettledThrough, l.StartHeight, l.EndHeight)
		}
		if l.State == LeaseClosed && !l.Escrow.IsZero() {
			return genesisError(field+".escrow", "%s, but a closed lease holds no escrow", l.Escrow)
		}
	default:
		return genesisError(field+".state", "unknown lease state %d", l.State)
	}
	if _, ok := CloseReason_name[int32(l.CloseReason)]; !ok {
		return genesisError(field+".close_reason", "unknown close reason %d", l.CloseReason)
	}
	return nil
}
