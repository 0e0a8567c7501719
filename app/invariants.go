package app

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"

	abci "github.com/cometbft/cometbft/abci/types"

	"cosmossdk.io/collections"
	storetypes "cosmossdk.io/store/types"

	"github.com/cosmos/cosmos-sdk/baseapp"
	sdk "github.com/cosmos/cosmos-sdk/types"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	"github.com/cosmos/cosmos-sdk/x/authz"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"
	govv1 "github.com/cosmos/cosmos-sdk/x/gov/types/v1"

	marketkeeper "github.com/fogchain/fog/x/market/keeper"
	markettypes "github.com/fogchain/fog/x/market/types"
	proofstypes "github.com/fogchain/fog/x/proofs/types"
	quorumkeeper "github.com/fogchain/fog/x/quorum/keeper"
	quorumtypes "github.com/fogchain/fog/x/quorum/types"
	reputationtypes "github.com/fogchain/fog/x/reputation/types"
	teetypes "github.com/fogchain/fog/x/tee/types"
)

// CheckInvariants runs every state check of the fog modules at ctx, and the checks across them:
//   - x/market: its module account holds exactly the escrow, deposits and bonds its records lock,
//     every queue entry matches its record, every record points at records that exist
//     (marketkeeper.Keeper.CheckInvariants);
//   - x/proofs: batches point at leases the market has, claims at circuits, the warm set at active
//     circuits (proofskeeper.Keeper.CheckReferences);
//   - x/tee: records, expiry queue, nonce window and TEE leases agree (teekeeper.Keeper.CheckInvariants);
//   - x/quorum: valid params, at most MaxAuditorsBound auditors, every attributes entry under its own
//     (provider, auditor) pair with 1 to MaxAttributesBound attributes of sorted distinct keys
//     (quorumkeeper.Keeper.CheckInvariants); its module account holds exactly the verifier deposits,
//     open audit fees and watch escrow its records lock, and every verifier's open duties match the
//     open audits and watches that drew it since it joined the pool (quorumkeeper.Keeper.CheckSolvency);
//   - across them: x/tee's set of active TEE leases is exactly the market's active leases of orders
//     that require a TEE; x/quorum's records agree with the market's leases and standby bids
//     (CheckQuorumLeases); and x/reputation, x/proofs and x/tee, which hold no money, hold none.
//
// It reads every record: the simulation runs it after every block, tests after every scenario.
func (app *App) CheckInvariants(ctx sdk.Context) error {
	market := app.AccountKeeper.GetModuleAddress(markettypes.ModuleName)
	if err := app.MarketKeeper.CheckInvariants(ctx, app.BankKeeper.GetAllBalances(ctx, market)); err != nil {
		return err
	}
	if err := app.ProofsKeeper.CheckReferences(ctx); err != nil {
		return fmt.Errorf("proofs references: %w", err)
	}
	if err := app.TeeKeeper.CheckInvariants(ctx); err != nil {
		return fmt.Errorf("tee: %w", err)
	}
	if err := app.QuorumKeeper.CheckInvariants(ctx); err != nil {
		return fmt.Errorf("quorum: %w", err)
	}
	if err := app.QuorumKeeper.CheckSolvency(ctx, app.BankKeeper.GetAllBalances(ctx, authtypes.NewModuleAddress(quorumtypes.ModuleName))); err != nil {
		return fmt.Errorf("quorum: %w", err)
	}
	if err := app.checkTeeLeases(ctx); err != nil {
		return fmt.Errorf("tee leases: %w", err)
	}
	if err := CheckQuorumLeases(ctx, app.MarketKeeper, app.QuorumKeeper); err != nil {
		return fmt.Errorf("quorum records: %w", err)
	}
	for _, name := range []string{reputationtypes.ModuleName, proofstypes.ModuleName, teetypes.ModuleName} {
		if held := app.BankKeeper.GetAllBalances(ctx, authtypes.NewModuleAddress(name)); !held.IsZero() {
			return fmt.Errorf("%s holds no money, but its module address has %s", name, held)
		}
	}
	return nil
}

// checkTeeLeases compares x/tee's active TEE leases, which it learns from the market's hooks, with
// the market's active leases of orders that require a TEE.
func (app *App) checkTeeLeases(ctx sdk.Context) error {
	type lease struct {
		provider string
		id       uint64
	}
	var market, tee []lease
	it, err := app.MarketKeeper.Leases.Indexes.State.MatchExact(ctx, int32(markettypes.LeaseActive))
	if err != nil {
		return err
	}
	ids, err := it.PrimaryKeys()
	if err != nil {
		return err
	}
	for _, id := range ids {
		l, err := app.MarketKeeper.Leases.Get(ctx, id)
		if err != nil {
			return err
		}
		o, err := app.MarketKeeper.Orders.Get(ctx, l.OrderId)
		if err != nil {
			return err
		}
		if o.TeeRequired {
			market = append(market, lease{l.Provider, l.Id})
		}
	}
	err = app.TeeKeeper.TeeLeases.Walk(ctx, nil, func(key collections.Pair[sdk.AccAddress, uint64]) (bool, error) {
		tee = append(tee, lease{key.K1().String(), key.K2()})
		return false, nil
	})
	if err != nil {
		return err
	}
	byID := func(a, b lease) int { return cmp.Compare(a.id, b.id) }
	slices.SortFunc(market, byID)
	slices.SortFunc(tee, byID)
	if !slices.Equal(market, tee) {
		return fmt.Errorf("the market's active TEE leases are %v, x/tee's are %v", market, tee)
	}
	return nil
}

// CheckQuorumLeases compares x/quorum's records, which it keeps from the market's hooks, with the
// market's state:
//   - every member of a record has its lease in the market, of the record's order and the member's
//     provider, at the member's price; a pending or active member's lease is in the same state, any
//     other member's lease is closed for the member's close reason;
//   - every standby of a record has its bid on the order: STANDBY while held, WON once promoted,
//     LOST once released;
//   - every bid the market holds as a standby, and every pending or active lease of an order with a
//     record, appears in that record (held, and as a live member).
//
// Orders matched before x/quorum kept records have none and are not checked. It reads every record,
// every standby and every open lease.
func CheckQuorumLeases(ctx context.Context, market marketkeeper.Keeper, quorum quorumkeeper.Keeper) error {
	err := quorum.Quorums.Walk(ctx, nil, func(id uint64, q quorumtypes.Quorum) (bool, error) {
		for _, m := range q.Members {
			l, err := market.Leases.Get(ctx, m.LeaseId)
			if err != nil {
				return true, fmt.Errorf("order %d: member lease %d: %w", id, m.LeaseId, err)
			}
			if l.OrderId != id || l.Provider != m.Provider || !l.PricePerBlock.Equal(m.PricePerBlock) {
				return true, fmt.Errorf("order %d: member lease %d of %s at %s is the market's lease of order %d, %s at %s",
					id, m.LeaseId, m.Provider, m.PricePerBlock, l.OrderId, l.Provider, l.PricePerBlock)
			}
			want := markettypes.LeaseClosed
			switch m.State {
			case quorumtypes.MemberPending:
				want = markettypes.LeasePending
			case quorumtypes.MemberActive:
				want = markettypes.LeaseActive
			}
			if l.State != want || (want == markettypes.LeaseClosed && l.CloseReason.String() != m.CloseReason) {
				return true, fmt.Errorf("order %d: member of lease %d is %s (%s), the lease is %s (%s)", id, l.Id, m.State, m.CloseReason, l.State, l.CloseReason)
			}
		}
		for _, s := range q.Standbys {
			provider, err := sdk.AccAddressFromBech32(s.Provider)
			if err != nil {
				return true, err
			}
			b, err := market.Bids.Get(ctx, collections.Join(id, provider))
			if err != nil {
				return true, fmt.Errorf("order %d: standby %s: %w", id, s.Provider, err)
			}
			want := map[quorumtypes.StandbyState]markettypes.BidState{
				quorumtypes.StandbyHeld: markettypes.BidStandby, quorumtypes.StandbyPromoted: markettypes.BidWon, quorumtypes.StandbyReleased: markettypes.BidLost,
			}[s.State]
			if b.State != want {
				return true, fmt.Errorf("order %d: standby %s is %s, its bid is %s", id, s.Provider, s.State, b.State)
			}
		}
		return false, nil
	})
	if err != nil {
		return err
	}
	err = market.Standbys.Walk(ctx, nil, func(key collections.Pair[uint64, sdk.AccAddress]) (bool, error) {
		q, err := quorum.Quorums.Get(ctx, key.K1())
		if err != nil {
			return true, fmt.Errorf("standby %s of order %d: no quorum record: %w", key.K2(), key.K1(), err)
		}
		if i := q.Standby(key.K2().String()); i < 0 || q.Standbys[i].State != quorumtypes.StandbyHeld {
			return true, fmt.Errorf("standby %s of order %d is not held in its quorum record", key.K2(), key.K1())
		}
		return false, nil
	})
	if err != nil {
		return err
	}
	for _, state := range []markettypes.LeaseState{markettypes.LeasePending, markettypes.LeaseActive} {
		err := market.Leases.Indexes.State.Walk(ctx, collections.NewPrefixedPairRange[int32, uint64](int32(state)), func(_ int32, id uint64) (bool, error) {
			l, err := market.Leases.Get(ctx, id)
			if err != nil {
				return true, err
			}
			q, err := quorum.Quorums.Get(ctx, l.OrderId)
			if errors.Is(err, collections.ErrNotFound) {
				return false, nil
			} else if err != nil {
				return true, err
			}
			if i := q.Member(id); i < 0 || !q.Members[i].Live() {
				return true, fmt.Errorf("%s lease %d of order %d is no live member of its quorum record", l.State, id, l.OrderId)
			}
			return false, nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// BlockChecker checks the chain after every block of a simulation or a test network: the state
// invariants (CheckInvariants) at each commit, and that the total supply changes only as the chain
// accounts for it:
//   - over BeginBlock and EndBlock, by the mints and burns of x/bank's coinbase and burn events, the
//     market's burns being exactly the deposits and bonds its EventBidForfeited and EventLeaseClosed
//     report burned;
//   - in each transaction (seen by its post handler, since a transaction's events do not reach
//     ABCI listeners in the simulator), not at all, except by the bond of a lease its provider
//     closed (MsgCloseLease) and the deposits a gov MsgCancelProposal burns.
//
// Wire it with Options() when building the app, then SetApp. A failure goes to OnFailure (by
// default a panic) with the height it was found at.
type BlockChecker struct {
	app *App
	// OnFailure receives every failed check.
	OnFailure func(height int64, err error)
	// supply is the total supply at the last point checked (nil before the first block).
	supply sdk.Coins
	// Blocks counts the commits checked.
	Blocks int
	// LastHeight is the height of the last commit checked.
	LastHeight int64
	// failures are what a test's OnFailure collected.
	failures []error
}

var _ storetypes.ABCIListener = (*BlockChecker)(nil)

// Options are the BaseApp options that install the checker: an ABCI listener and a post handler.
func (c *BlockChecker) Options() []func(*baseapp.BaseApp) {
	return []func(*baseapp.BaseApp){
		func(b *baseapp.BaseApp) {
			b.SetStreamingManager(storetypes.StreamingManager{ABCIListeners: []storetypes.ABCIListener{c}})
		},
		func(b *baseapp.BaseApp) { b.SetPostHandler(c.postHandler) },
	}
}

// SetApp gives the checker the app it checks.
func (c *BlockChecker) SetApp(app *App) { c.app = app }

func (c *BlockChecker) fail(height int64, err error) {
	if c.OnFailure == nil {
		panic(fmt.Sprintf("invariant broken at height %d: %v", height, err))
	}
	c.OnFailure(height, err)
}

func (c *BlockChecker) totalSupply(ctx sdk.Context) sdk.Coins {
	out := sdk.NewCoins()
	c.app.BankKeeper.IterateTotalSupply(ctx, func(coin sdk.Coin) bool {
		out = out.Add(coin)
		return false
	})
	return out
}

// ListenFinalizeBlock checks the supply change of BeginBlock and EndBlock against their events.
func (c *BlockChecker) ListenFinalizeBlock(goCtx context.Context, req abci.RequestFinalizeBlock, res abci.ResponseFinalizeBlock) error {
	ctx := sdk.UnwrapSDKContext(goCtx)
	supply := c.totalSupply(ctx)
	defer func() { c.supply = supply }()
	if c.supply == nil {
		return nil // the first block: no supply before it to compare with
	}
	if err := c.checkBlockEvents(res.Events, c.supply, supply); err != nil {
		c.fail(req.Height, err)
	}
	return nil
}

// checkBlockEvents checks that before + minted = after + burned by the block's events, and that the
// market burned exactly what its events say.
func (c *BlockChecker) checkBlockEvents(events []abci.Event, before, after sdk.Coins) error {
	market := c.app.AccountKeeper.GetModuleAddress(markettypes.ModuleName).String()
	var minted, burned, marketBurned, marketReported sdk.Coins
	for _, ev := range events {
		attrs := map[string]string{}
		for _, a := range ev.Attributes {
			attrs[a.Key] = a.Value
		}
		switch ev.Type {
		case banktypes.EventTypeCoinMint, banktypes.EventTypeCoinBurn:
			amount, err := sdk.ParseCoinsNormalized(attrs[sdk.AttributeKeyAmount])
			if err != nil {
				return fmt.Errorf("%s event amount %q: %w", ev.Type, attrs[sdk.AttributeKeyAmount], err)
			}
			if ev.Type == banktypes.EventTypeCoinMint {
				minted = minted.Add(amount...)
				continue
			}
			burned = burned.Add(amount...)
			if attrs[banktypes.AttributeKeyBurner] == market {
				marketBurned = marketBurned.Add(amount...)
			}
		default:
			// FinalizeBlock tags each event with the phase it came from: not a field of the typed event
			ev.Attributes = slices.DeleteFunc(slices.Clone(ev.Attributes), func(a abci.EventAttribute) bool { return a.Key == "mode" })
			msg, err := sdk.ParseTypedEvent(ev)
			if err != nil {
				continue // not a typed event
			}
			switch e := msg.(type) {
			case *markettypes.EventBidForfeited:
				marketReported = marketReported.Add(e.Burned)
			case *markettypes.EventLeaseClosed:
				marketReported = marketReported.Add(e.BondBurned)
			}
		}
	}
	if !before.Add(minted...).Equal(after.Add(burned...)) {
		return fmt.Errorf("total supply went from %s to %s, but the block's events mint %s and burn %s", before, after, minted, burned)
	}
	if !marketBurned.Equal(marketReported) {
		return fmt.Errorf("the market burned %s, its events report %s burned", marketBurned, marketReported)
	}
	return nil
}

// postHandler checks each delivered transaction's supply change: none, but for the burns its
// messages may make.
func (c *BlockChecker) postHandler(ctx sdk.Context, tx sdk.Tx, simulate, success bool) (sdk.Context, error) {
	if simulate || !success || ctx.ExecMode() != sdk.ExecModeFinalize || c.supply == nil {
		return ctx, nil
	}
	supply := c.totalSupply(ctx)
	before := c.supply
	c.supply = supply
	if err := c.checkTx(ctx, tx, before, supply); err != nil {
		c.fail(ctx.BlockHeight(), err)
	}
	return ctx, nil
}

func (c *BlockChecker) checkTx(ctx sdk.Context, tx sdk.Tx, before, after sdk.Coins) error {
	burned, negative := before.SafeSub(after...)
	if negative {
		return fmt.Errorf("a transaction (%T) raised the total supply from %s to %s", tx.GetMsgs(), before, after)
	}
	var expected sdk.Coins
	cancels := false
	msgs := tx.GetMsgs()
	for i := 0; i < len(msgs); i++ {
		switch m := msgs[i].(type) {
		case *markettypes.MsgCloseLease:
			l, err := c.app.MarketKeeper.Leases.Get(ctx, m.LeaseId)
			if err != nil {
				return err
			}
			if l.State == markettypes.LeaseClosed && l.ClosedHeight == ctx.BlockHeight() && l.CloseReason == markettypes.CloseReasonProviderClosed {
				expected = expected.Add(l.Bond)
			}
		case *govv1.MsgCancelProposal:
			cancels = true
		case *authz.MsgExec:
			inner, err := m.GetMessages()
			if err != nil {
				return err
			}
			msgs = append(msgs, inner...)
		}
	}
	switch {
	case cancels && !burned.IsAllGTE(expected):
		return fmt.Errorf("a transaction burned %s, less than the bonds of the leases it closed (%s)", burned, expected)
	case !cancels && !burned.Equal(expected):
		return fmt.Errorf("a transaction burned %s; the leases its providers closed had bonds of %s", burned, expected)
	}
	return nil
}

// ListenCommit runs CheckInvariants on the block's final state and checks that nothing changed the
// supply after the last transaction.
func (c *BlockChecker) ListenCommit(goCtx context.Context, _ abci.ResponseCommit, _ []*storetypes.StoreKVPair) error {
	ctx := sdk.UnwrapSDKContext(goCtx)
	h := ctx.BlockHeight()
	c.Blocks++
	c.LastHeight = h
	supply := c.totalSupply(ctx)
	var err error
	if c.supply != nil && !supply.Equal(c.supply) {
		err = fmt.Errorf("total supply is %s at commit, %s after the block's last transaction", supply, c.supply)
	}
	c.supply = supply
	if err = errors.Join(err, c.app.CheckInvariants(ctx)); err != nil {
		c.fail(h, err)
	}
	return nil
}
