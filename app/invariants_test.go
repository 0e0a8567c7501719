package app

import (
	"fmt"
	"testing"

	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"
	dbm "github.com/cosmos/cosmos-db"
	"github.com/stretchr/testify/require"

	"cosmossdk.io/collections"
	"cosmossdk.io/log"

	simtestutil "github.com/cosmos/cosmos-sdk/testutil/sims"
	sdk "github.com/cosmos/cosmos-sdk/types"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"
	govv1 "github.com/cosmos/cosmos-sdk/x/gov/types/v1"

	markettypes "github.com/fogchain/fog/x/market/types"
	quorumtypes "github.com/fogchain/fog/x/quorum/types"
)

// The post handler's check of one transaction's supply change: none, but for the bond of a lease its
// provider closed in that transaction and the deposits a proposal cancellation burns.
func TestTransactionSupplyCheck(t *testing.T) {
	app := New(log.NewNopLogger(), dbm.NewMemDB(), nil, true, simtestutil.AppOptionsMap{})
	ctx := app.NewContextLegacy(true, cmtproto.Header{Height: 7})
	c := &BlockChecker{}
	c.SetApp(app)
	coins := func(n int64) sdk.Coins { return sdk.NewCoins(sdk.NewInt64Coin(BaseDenom, n)) }
	owner := authtypes.NewModuleAddress("owner").String()
	provider := authtypes.NewModuleAddress("provider").String()
	for id, reason := range map[uint64]markettypes.CloseReason{1: markettypes.CloseReasonProviderClosed, 2: markettypes.CloseReasonOwnerClosed} {
		require.NoError(t, app.MarketKeeper.Leases.Set(ctx, id, markettypes.Lease{Id: id, OrderId: 1, Owner: owner, Provider: provider,
			State: markettypes.LeaseClosed, CloseReason: reason, ClosedHeight: 7, Bond: sdk.NewInt64Coin(BaseDenom, 40),
			PricePerBlock: sdk.NewInt64Coin(BaseDenom, 1), Escrow: sdk.NewInt64Coin(BaseDenom, 0), Paid: sdk.NewInt64Coin(BaseDenom, 0)}))
	}
	send := &banktypes.MsgSend{FromAddress: owner, ToAddress: provider, Amount: coins(1)}
	closeByProvider := &markettypes.MsgCloseLease{Sender: provider, LeaseId: 1}
	closeByOwner := &markettypes.MsgCloseLease{Sender: owner, LeaseId: 2}
	cancel := &govv1.MsgCancelProposal{ProposalId: 1, Proposer: owner}
	for _, tc := range []struct {
		name          string
		msgs          []sdk.Msg
		before, after sdk.Coins
		ok            bool
	}{
		{"a send leaves the supply", []sdk.Msg{send}, coins(1000), coins(1000), true},
		{"a send that burns", []sdk.Msg{send}, coins(1000), coins(999), false},
		{"a transaction that mints", []sdk.Msg{send}, coins(1000), coins(1001), false},
		{"a provider's close burns the bond", []sdk.Msg{closeByProvider}, coins(1000), coins(960), true},
		{"a provider's close that burns more", []sdk.Msg{closeByProvider}, coins(1000), coins(959), false},
		{"a provider's close that burns nothing", []sdk.Msg{closeByProvider}, coins(1000), coins(1000), false},
		{"an owner's close burns nothing", []sdk.Msg{closeByOwner}, coins(1000), coins(1000), true},
		{"an owner's close that burns", []sdk.Msg{closeByOwner}, coins(1000), coins(960), false},
		{"a cancelled proposal burns deposits", []sdk.Msg{cancel}, coins(1000), coins(900), true},
		{"a cancelled proposal and a close that burn less than the bond", []sdk.Msg{cancel, closeByProvider}, coins(1000), coins(980), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			builder := app.TxConfig().NewTxBuilder()
			require.NoError(t, builder.SetMsgs(tc.msgs...))
			err := c.checkTx(ctx, builder.GetTx(), tc.before, tc.after)
			if tc.ok {
				require.NoError(t, err)
			} else {
				require.Error(t, err)
			}
		})
	}
}

// x/quorum's invariant refuses what its messages and genesis never write: attributes out of order,
// repeated, none or too many, an entry or an auditor stored under another address, and more
// auditors than MaxAuditorsBound.
func TestQuorumInvariants(t *testing.T) {
	addr := func(i int) sdk.AccAddress { return authtypes.NewModuleAddress(fmt.Sprintf("quorum-test-%d", i)) }
	provider, auditor := addr(0), addr(1)
	attrs := func(keys ...string) []quorumtypes.Attribute {
		out := make([]quorumtypes.Attribute, len(keys))
		for i, k := range keys {
			out[i] = quorumtypes.Attribute{Key: k, Value: "v"}
		}
		return out
	}
	many := make([]string, quorumtypes.MaxAttributesBound+1)
	for i := range many {
		many[i] = fmt.Sprintf("k%03d", i)
	}
	entry := func(a []quorumtypes.Attribute) quorumtypes.AuditedAttributes {
		return quorumtypes.AuditedAttributes{Provider: provider.String(), Auditor: auditor.String(), Attributes: a}
	}
	for _, tc := range []struct {
		name  string
		write func(app *App, ctx sdk.Context) error
		want  string
	}{
		{"a valid state", func(*App, sdk.Context) error { return nil }, ""},
		{"keys out of order", func(app *App, ctx sdk.Context) error {
			return app.QuorumKeeper.Attributes.Set(ctx, collections.Join(provider, auditor), entry(attrs("power-region", "asn")))
		}, "out of order"},
		{"a key twice", func(app *App, ctx sdk.Context) error {
			return app.QuorumKeeper.Attributes.Set(ctx, collections.Join(provider, auditor), entry(attrs("asn", "asn")))
		}, "given twice"},
		{"no attributes", func(app *App, ctx sdk.Context) error {
			return app.QuorumKeeper.Attributes.Set(ctx, collections.Join(provider, auditor), entry(nil))
		}, "0 attributes"},
		{"too many attributes", func(app *App, ctx sdk.Context) error {
			return app.QuorumKeeper.Attributes.Set(ctx, collections.Join(provider, auditor), entry(attrs(many...)))
		}, "65 attributes"},
		{"an entry under another pair", func(app *App, ctx sdk.Context) error {
			return app.QuorumKeeper.Attributes.Set(ctx, collections.Join(auditor, provider), entry(attrs("asn")))
		}, "stored under"},
		{"an auditor under another address", func(app *App, ctx sdk.Context) error {
			return app.QuorumKeeper.Auditors.Set(ctx, provider, quorumtypes.Auditor{Address: auditor.String()})
		}, "stored under"},
		{"too many auditors", func(app *App, ctx sdk.Context) error {
			for i := range quorumtypes.MaxAuditorsBound { // with the one approved already
				if err := app.QuorumKeeper.Auditors.Set(ctx, addr(10+i), quorumtypes.Auditor{Address: addr(10 + i).String()}); err != nil {
					return err
				}
			}
			return nil
		}, "1001 auditors, at most 1000"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			app := New(log.NewNopLogger(), dbm.NewMemDB(), nil, true, simtestutil.AppOptionsMap{})
			ctx := app.NewContextLegacy(true, cmtproto.Header{Height: 7})
			require.NoError(t, app.QuorumKeeper.Params.Set(ctx, quorumtypes.DefaultParams()))
			require.NoError(t, app.QuorumKeeper.Auditors.Set(ctx, auditor, quorumtypes.Auditor{Address: auditor.String()}))
			require.NoError(t, app.QuorumKeeper.Attributes.Set(ctx, collections.Join(addr(2), auditor),
				quorumtypes.AuditedAttributes{Provider: addr(2).String(), Auditor: auditor.String(), Attributes: attrs("asn", "power-region")}))
			require.NoError(t, app.QuorumKeeper.CheckInvariants(ctx))
			require.NoError(t, tc.write(app, ctx))
			err := app.QuorumKeeper.CheckInvariants(ctx)
			if tc.want == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorContains(t, err, tc.want)
		})
	}
}
