package keeper_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	sdk "github.com/cosmos/cosmos-sdk/types"
	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	govtypes "github.com/cosmos/cosmos-sdk/x/gov/types"

	"github.com/fogchain/fog/testutil/fixture"
	"github.com/fogchain/fog/x/market/types"
	reputationtypes "github.com/fogchain/fog/x/reputation/types"
)

// auction is a fixture with an open order and two registered providers, one of which committed 4.
type auction struct {
	*fixture.Fixture
	owner, bidder, other sdk.AccAddress
	order                types.Order
	sealed               fixture.SealedBid
}

func newAuction(t *testing.T) *auction {
	f := fixture.New(t)
	a := &auction{Fixture: f, owner: f.NewAccount(t, 100_000_000), bidder: f.NewProvider(t), other: f.NewProvider(t)}
	a.order = f.CreateOrder(t, fixture.OrderMsg(a.owner))
	a.sealed = f.Commit(t, a.order.Id, a.bidder, 4)
	return a
}

func (a *auction) toRevealPhase(t *testing.T) { a.AdvanceTo(t, a.order.CommitDeadline+1) }

func (a *auction) settle(t *testing.T) {
	a.toRevealPhase(t)
	a.Reveal(t, a.order.Id, a.sealed)
	a.AdvanceTo(t, a.order.RevealDeadline+1)
}

func (a *auction) commitMsg(p sdk.AccAddress, price int64) *types.MsgCommitBid {
	return &types.MsgCommitBid{Provider: p.String(), OrderId: a.order.Id,
		Commitment: types.BidCommitment(a.order.Id, p, sdk.NewInt64Coin(fixture.Denom, price), make([]byte, 32))}
}

func (a *auction) revealMsg(price sdk.Coin, salt []byte) *types.MsgRevealBid {
	return &types.MsgRevealBid{Provider: a.bidder.String(), OrderId: a.order.Id, Price: price, Salt: salt}
}

func (a *auction) lease(t *testing.T) types.Lease {
	a.settle(t)
	leases := a.LeasesOf(t, a.order.Id)
	require.Len(t, leases, 1)
	return leases[0]
}

func orderWith(a *auction, mutate func(*types.MsgCreateOrder)) func() error {
	return func() error {
		msg := fixture.OrderMsg(a.owner)
		mutate(msg)
		_, err := a.Msg.CreateOrder(a.Ctx, msg)
		return err
	}
}

func providerWith(a *auction, t *testing.T, mutate func(*types.MsgRegisterProvider)) func() error {
	addr := a.NewAccount(t, a.Params.ProviderBond.Amount.Int64())
	return func() error {
		msg := fixture.RegisterMsg(addr)
		mutate(msg)
		_, err := a.Msg.RegisterProvider(a.Ctx, msg)
		return err
	}
}

func coin(n int64) sdk.Coin { return sdk.NewInt64Coin(fixture.Denom, n) }

// Every bad input is rejected with its specific registered error and changes no coin and no state.
func TestBadInputIsRejectedWithoutSideEffects(t *testing.T) {
	gov := authtypes.NewModuleAddress(govtypes.ModuleName).String()
	cases := []struct {
		name string
		// prepare moves the auction where the case needs it and returns the rejected call.
		prepare func(t *testing.T, a *auction) func() error
		want    error
	}{
		{"commit on unknown order", func(t *testing.T, a *auction) func() error {
			return func() error {
				msg := a.commitMsg(a.other, 4)
				msg.OrderId = 999
				_, err := a.Msg.CommitBid(a.Ctx, msg)
				return err
			}
		}, types.ErrOrderNotFound},
		{"commit on settled order", func(t *testing.T, a *auction) func() error {
			a.settle(t)
			return func() error { _, err := a.Msg.CommitBid(a.Ctx, a.commitMsg(a.other, 4)); return err }
		}, types.ErrOrderNotOpen},
		{"commit on cancelled order", func(t *testing.T, a *auction) func() error {
			_, err := a.Msg.CancelOrder(a.Ctx, &types.MsgCancelOrder{Owner: a.owner.String(), OrderId: a.order.Id})
			require.NoError(t, err)
			return func() error { _, err := a.Msg.CommitBid(a.Ctx, a.commitMsg(a.other, 4)); return err }
		}, types.ErrOrderNotOpen},
		{"commit after the commit deadline", func(t *testing.T, a *auction) func() error {
			a.toRevealPhase(t)
			return func() error { _, err := a.Msg.CommitBid(a.Ctx, a.commitMsg(a.other, 4)); return err }
		}, types.ErrCommitPhaseOver},
		{"commit of a malformed commitment", func(t *testing.T, a *auction) func() error {
			return func() error {
				msg := a.commitMsg(a.other, 4)
				msg.Commitment = msg.Commitment[:31]
				_, err := a.Msg.CommitBid(a.Ctx, msg)
				return err
			}
		}, types.ErrInvalidCommitment},
		{"reveal before the reveal phase", func(t *testing.T, a *auction) func() error {
			return func() error { _, err := a.Msg.RevealBid(a.Ctx, a.revealMsg(a.sealed.Price, a.sealed.Salt)); return err }
		}, types.ErrNotRevealPhase},
		{"reveal after the reveal deadline (before settlement ran)", func(t *testing.T, a *auction) func() error {
			a.SetHeight(a.order.RevealDeadline + 1)
			return func() error { _, err := a.Msg.RevealBid(a.Ctx, a.revealMsg(a.sealed.Price, a.sealed.Salt)); return err }
		}, types.ErrNotRevealPhase},
		{"reveal after settlement", func(t *testing.T, a *auction) func() error {
			a.AdvanceTo(t, a.order.RevealDeadline+1)
			return func() error { _, err := a.Msg.RevealBid(a.Ctx, a.revealMsg(a.sealed.Price, a.sealed.Salt)); return err }
		}, types.ErrOrderNotOpen},
		{"reveal with another price", func(t *testing.T, a *auction) func() error {
			a.toRevealPhase(t)
			return func() error { _, err := a.Msg.RevealBid(a.Ctx, a.revealMsg(coin(5), a.sealed.Salt)); return err }
		}, types.ErrCommitmentMismatch},
		{"reveal with another salt", func(t *testing.T, a *auction) func() error {
			a.toRevealPhase(t)
			return func() error {
				salt := append([]byte{}, a.sealed.Salt...)
				salt[0] ^= 1
				_, err := a.Msg.RevealBid(a.Ctx, a.revealMsg(a.sealed.Price, salt))
				return err
			}
		}, types.ErrCommitmentMismatch},
		{"reveal with a short salt", func(t *testing.T, a *auction) func() error {
			a.toRevealPhase(t)
			return func() error {
				_, err := a.Msg.RevealBid(a.Ctx, a.revealMsg(a.sealed.Price, a.sealed.Salt[:16]))
				return err
			}
		}, types.ErrInvalidSalt},
		{"reveal price zero", func(t *testing.T, a *auction) func() error {
			a.toRevealPhase(t)
			return func() error { _, err := a.Msg.RevealBid(a.Ctx, a.revealMsg(coin(0), a.sealed.Salt)); return err }
		}, types.ErrInvalidPrice},
		{"reveal price above max", func(t *testing.T, a *auction) func() error {
			a.toRevealPhase(t)
			return func() error { _, err := a.Msg.RevealBid(a.Ctx, a.revealMsg(coin(11), a.sealed.Salt)); return err }
		}, types.ErrPriceAboveMax},
		{"reveal price in another denom", func(t *testing.T, a *auction) func() error {
			a.toRevealPhase(t)
			return func() error {
				_, err := a.Msg.RevealBid(a.Ctx, a.revealMsg(sdk.NewInt64Coin("uatom", 4), a.sealed.Salt))
				return err
			}
		}, types.ErrInvalidPrice},
		{"reveal by a provider that never bid", func(t *testing.T, a *auction) func() error {
			a.toRevealPhase(t)
			return func() error {
				msg := a.revealMsg(a.sealed.Price, a.sealed.Salt)
				msg.Provider = a.other.String()
				_, err := a.Msg.RevealBid(a.Ctx, msg)
				return err
			}
		}, types.ErrBidNotFound},
		{"second bid by the same provider", func(t *testing.T, a *auction) func() error {
			return func() error { _, err := a.Msg.CommitBid(a.Ctx, a.commitMsg(a.bidder, 3)); return err }
		}, types.ErrDuplicateBid},
		{"bid by an unregistered provider", func(t *testing.T, a *auction) func() error {
			stranger := a.NewAccount(t, 100_000_000)
			return func() error { _, err := a.Msg.CommitBid(a.Ctx, a.commitMsg(stranger, 4)); return err }
		}, types.ErrProviderNotFound},
		{"bid by the order owner", func(t *testing.T, a *auction) func() error {
			_, err := a.Msg.RegisterProvider(a.Ctx, fixture.RegisterMsg(a.owner))
			require.NoError(t, err)
			return func() error { _, err := a.Msg.CommitBid(a.Ctx, a.commitMsg(a.owner, 4)); return err }
		}, types.ErrSelfBid},
		{"insufficient funds for the deposit", func(t *testing.T, a *auction) func() error {
			poor := a.NewAccount(t, a.Params.ProviderBond.Amount.Int64()+1000)
			_, err := a.Msg.RegisterProvider(a.Ctx, fixture.RegisterMsg(poor))
			require.NoError(t, err)
			return func() error { _, err := a.Msg.CommitBid(a.Ctx, a.commitMsg(poor, 4)); return err }
		}, sdkerrors.ErrInsufficientFunds},
		{"insufficient funds for the escrow", func(t *testing.T, a *auction) func() error {
			poor := a.NewAccount(t, 999)
			return func() error { _, err := a.Msg.CreateOrder(a.Ctx, fixture.OrderMsg(poor)); return err }
		}, sdkerrors.ErrInsufficientFunds},
		{"more than max bids", func(t *testing.T, a *auction) func() error {
			a.SetParams(t, func(p *types.Params) { p.MaxBidsPerOrder = 3 })
			a.Commit(t, a.order.Id, a.other, 5)
			a.Commit(t, a.order.Id, a.NewProvider(t), 6)
			late := a.NewProvider(t)
			return func() error { _, err := a.Msg.CommitBid(a.Ctx, a.commitMsg(late, 4)); return err }
		}, types.ErrTooManyBids},
		{"cancel by someone else", func(t *testing.T, a *auction) func() error {
			return func() error {
				_, err := a.Msg.CancelOrder(a.Ctx, &types.MsgCancelOrder{Owner: a.other.String(), OrderId: a.order.Id})
				return err
			}
		}, types.ErrUnauthorized},
		{"cancel after settlement", func(t *testing.T, a *auction) func() error {
			a.settle(t)
			return func() error {
				_, err := a.Msg.CancelOrder(a.Ctx, &types.MsgCancelOrder{Owner: a.owner.String(), OrderId: a.order.Id})
				return err
			}
		}, types.ErrOrderNotOpen},
		{"cancel an unknown order", func(t *testing.T, a *auction) func() error {
			return func() error {
				_, err := a.Msg.CancelOrder(a.Ctx, &types.MsgCancelOrder{Owner: a.owner.String(), OrderId: 42})
				return err
			}
		}, types.ErrOrderNotFound},
		{"close a lease by someone else", func(t *testing.T, a *auction) func() error {
			l := a.lease(t)
			return func() error {
				_, err := a.Msg.CloseLease(a.Ctx, &types.MsgCloseLease{Sender: a.other.String(), LeaseId: l.Id})
				return err
			}
		}, types.ErrUnauthorized},
		{"withdraw a lease by someone else", func(t *testing.T, a *auction) func() error {
			l := a.lease(t)
			_, err := a.Msg.StartLease(a.Ctx, &types.MsgStartLease{Provider: a.bidder.String(), LeaseId: l.Id})
			require.NoError(t, err)
			a.AdvanceTo(t, a.Height()+3)
			return func() error {
				_, err := a.Msg.WithdrawLease(a.Ctx, &types.MsgWithdrawLease{Provider: a.owner.String(), LeaseId: l.Id})
				return err
			}
		}, types.ErrUnauthorized},
		{"start a lease by someone else", func(t *testing.T, a *auction) func() error {
			l := a.lease(t)
			return func() error {
				_, err := a.Msg.StartLease(a.Ctx, &types.MsgStartLease{Provider: a.other.String(), LeaseId: l.Id})
				return err
			}
		}, types.ErrUnauthorized},
		{"withdraw an unknown lease", func(t *testing.T, a *auction) func() error {
			return func() error {
				_, err := a.Msg.WithdrawLease(a.Ctx, &types.MsgWithdrawLease{Provider: a.bidder.String(), LeaseId: 7})
				return err
			}
		}, types.ErrLeaseNotFound},
		{"withdraw a bid by someone else", func(t *testing.T, a *auction) func() error {
			a.SetHeight(a.order.WithdrawDeadline)
			return func() error {
				_, err := a.Msg.WithdrawBid(a.Ctx, &types.MsgWithdrawBid{Provider: a.other.String(), OrderId: a.order.Id})
				return err
			}
		}, types.ErrBidNotFound},
		{"withdraw a bid in the last withdraw_lock_blocks of the commit phase", func(t *testing.T, a *auction) func() error {
			a.SetHeight(a.order.WithdrawDeadline + 1)
			return func() error {
				_, err := a.Msg.WithdrawBid(a.Ctx, &types.MsgWithdrawBid{Provider: a.bidder.String(), OrderId: a.order.Id})
				return err
			}
		}, types.ErrWithdrawLocked},
		{"withdraw a bid after the commit phase", func(t *testing.T, a *auction) func() error {
			a.toRevealPhase(t)
			return func() error {
				_, err := a.Msg.WithdrawBid(a.Ctx, &types.MsgWithdrawBid{Provider: a.bidder.String(), OrderId: a.order.Id})
				return err
			}
		}, types.ErrCommitPhaseOver},
		{"cancel in the reveal phase (the owner could have seen reveals)", func(t *testing.T, a *auction) func() error {
			a.toRevealPhase(t)
			a.Reveal(t, a.order.Id, a.sealed)
			return func() error {
				_, err := a.Msg.CancelOrder(a.Ctx, &types.MsgCancelOrder{Owner: a.owner.String(), OrderId: a.order.Id})
				return err
			}
		}, types.ErrCancelTooLate},
		{"deregister with a bid on an open order", func(t *testing.T, a *auction) func() error {
			return func() error {
				_, err := a.Msg.DeregisterProvider(a.Ctx, &types.MsgDeregisterProvider{Owner: a.bidder.String()})
				return err
			}
		}, types.ErrProviderBusy},
		{"deregister with a pending lease", func(t *testing.T, a *auction) func() error {
			a.lease(t)
			return func() error {
				_, err := a.Msg.DeregisterProvider(a.Ctx, &types.MsgDeregisterProvider{Owner: a.bidder.String()})
				return err
			}
		}, types.ErrProviderBusy},
		{"deregister with an active lease", func(t *testing.T, a *auction) func() error {
			l := a.lease(t)
			_, err := a.Msg.StartLease(a.Ctx, &types.MsgStartLease{Provider: a.bidder.String(), LeaseId: l.Id})
			require.NoError(t, err)
			return func() error {
				_, err := a.Msg.DeregisterProvider(a.Ctx, &types.MsgDeregisterProvider{Owner: a.bidder.String()})
				return err
			}
		}, types.ErrProviderBusy},
		{"deregister an unregistered provider", func(t *testing.T, a *auction) func() error {
			return func() error {
				_, err := a.Msg.DeregisterProvider(a.Ctx, &types.MsgDeregisterProvider{Owner: a.owner.String()})
				return err
			}
		}, types.ErrProviderNotFound},
		{"register without the provider bond", func(t *testing.T, a *auction) func() error {
			poor := a.NewAccount(t, a.Params.ProviderBond.Amount.Int64()-1)
			return func() error { _, err := a.Msg.RegisterProvider(a.Ctx, fixture.RegisterMsg(poor)); return err }
		}, sdkerrors.ErrInsufficientFunds},
		{"max price above the bound of all price arithmetic", func(t *testing.T, a *auction) func() error {
			return orderWith(a, func(m *types.MsgCreateOrder) {
				m.MaxPricePerBlock = sdk.NewCoin(fixture.Denom, types.MaxCoinAmount.AddRaw(1))
			})
		}, types.ErrInvalidPrice},
		{"resources above their bound", func(t *testing.T, a *auction) func() error {
			return orderWith(a, func(m *types.MsgCreateOrder) { m.Resources.CpuMillicores = types.MaxResource + 1 })
		}, types.ErrInvalidResources},
		{"zero resources", func(t *testing.T, a *auction) func() error {
			return orderWith(a, func(m *types.MsgCreateOrder) { m.Resources = types.Resources{} })
		}, types.ErrInvalidResources},
		{"lease blocks out of bounds", func(t *testing.T, a *auction) func() error {
			return orderWith(a, func(m *types.MsgCreateOrder) { m.LeaseBlocks = a.Params.MaxLeaseBlocks + 1 })
		}, types.ErrBlocksOutOfBounds},
		{"commit blocks out of bounds", func(t *testing.T, a *auction) func() error {
			return orderWith(a, func(m *types.MsgCreateOrder) { m.CommitBlocks = a.Params.MinCommitBlocks - 1 })
		}, types.ErrBlocksOutOfBounds},
		{"reveal blocks out of bounds", func(t *testing.T, a *auction) func() error {
			return orderWith(a, func(m *types.MsgCreateOrder) { m.RevealBlocks = a.Params.MaxRevealBlocks + 1 })
		}, types.ErrBlocksOutOfBounds},
		{"unknown tier", func(t *testing.T, a *auction) func() error {
			return orderWith(a, func(m *types.MsgCreateOrder) { m.Tier = 9 })
		}, types.ErrInvalidTier},
		{"unspecified tier", func(t *testing.T, a *auction) func() error {
			return orderWith(a, func(m *types.MsgCreateOrder) { m.Tier = types.TierUnspecified })
		}, types.ErrInvalidTier},
		{"unknown minimum reputation tier", func(t *testing.T, a *auction) func() error {
			return orderWith(a, func(m *types.MsgCreateOrder) { m.MinReputationTier = 9 })
		}, types.ErrInvalidMinTier},
		{"bid below the order's minimum reputation tier", func(t *testing.T, a *auction) func() error {
			msg := fixture.OrderMsg(a.owner)
			msg.MinReputationTier = reputationtypes.TierSilver
			picky := a.CreateOrder(t, msg)
			return func() error {
				m := a.commitMsg(a.other, 4)
				m.OrderId = picky.Id
				_, err := a.Msg.CommitBid(a.Ctx, m)
				return err
			}
		}, types.ErrReputationTooLow},
		{"unknown privacy", func(t *testing.T, a *auction) func() error {
			return orderWith(a, func(m *types.MsgCreateOrder) { m.Privacy = 7 })
		}, types.ErrInvalidPrivacy},
		{"malformed workload hash", func(t *testing.T, a *auction) func() error {
			return orderWith(a, func(m *types.MsgCreateOrder) { m.WorkloadHash = m.WorkloadHash[:20] })
		}, types.ErrInvalidWorkloadHash},
		{"zero max price", func(t *testing.T, a *auction) func() error {
			return orderWith(a, func(m *types.MsgCreateOrder) { m.MaxPricePerBlock = coin(0) })
		}, types.ErrInvalidPrice},
		{"oversized attributes", func(t *testing.T, a *auction) func() error {
			return providerWith(a, t, func(m *types.MsgRegisterProvider) {
				m.Attributes = []types.Attribute{{Key: "region", Value: strings.Repeat("x", int(a.Params.MaxAttributeBytes))}}
			})
		}, types.ErrInvalidAttributes},
		{"too many attributes", func(t *testing.T, a *auction) func() error {
			return providerWith(a, t, func(m *types.MsgRegisterProvider) {
				for i := 0; i <= int(a.Params.MaxAttributes); i++ {
					m.Attributes = append(m.Attributes, types.Attribute{Key: strings.Repeat("k", i+1), Value: "v"})
				}
			})
		}, types.ErrInvalidAttributes},
		{"oversized multiaddr", func(t *testing.T, a *auction) func() error {
			return providerWith(a, t, func(m *types.MsgRegisterProvider) {
				m.Multiaddrs = []string{"/dns4/" + strings.Repeat("a", int(a.Params.MaxMultiaddrBytes)) + "/tcp/1"}
			})
		}, types.ErrInvalidMultiaddr},
		{"too many multiaddrs", func(t *testing.T, a *auction) func() error {
			return providerWith(a, t, func(m *types.MsgRegisterProvider) {
				for i := 0; i <= int(a.Params.MaxMultiaddrs); i++ {
					m.Multiaddrs = append(m.Multiaddrs, "/ip4/127.0.0.1/tcp/4001")
				}
			})
		}, types.ErrInvalidMultiaddr},
		{"malformed multiaddr", func(t *testing.T, a *auction) func() error {
			return providerWith(a, t, func(m *types.MsgRegisterProvider) { m.Multiaddrs = []string{"127.0.0.1:4001"} })
		}, types.ErrInvalidMultiaddr},
		{"malformed peer id", func(t *testing.T, a *auction) func() error {
			return providerWith(a, t, func(m *types.MsgRegisterProvider) { m.PeerId = "QmNotAPeer" })
		}, types.ErrInvalidPeerID},
		{"malformed worker key", func(t *testing.T, a *auction) func() error {
			return providerWith(a, t, func(m *types.MsgRegisterProvider) { m.WorkerPubkey = make([]byte, 31) })
		}, types.ErrInvalidWorkerKey},
		{"register twice", func(t *testing.T, a *auction) func() error {
			return func() error { _, err := a.Msg.RegisterProvider(a.Ctx, fixture.RegisterMsg(a.bidder)); return err }
		}, types.ErrProviderExists},
		{"update an unregistered provider", func(t *testing.T, a *auction) func() error {
			return func() error {
				r := fixture.RegisterMsg(a.owner)
				_, err := a.Msg.UpdateProvider(a.Ctx, &types.MsgUpdateProvider{Owner: r.Owner, PeerId: r.PeerId, Capacity: r.Capacity})
				return err
			}
		}, types.ErrProviderNotFound},
		{"params update by a non-authority", func(t *testing.T, a *auction) func() error {
			return func() error {
				_, err := a.Msg.UpdateParams(a.Ctx, &types.MsgUpdateParams{Authority: a.owner.String(), Params: types.DefaultParams()})
				return err
			}
		}, types.ErrInvalidAuthority},
		{"invalid params", func(t *testing.T, a *auction) func() error {
			return func() error {
				p := types.DefaultParams()
				p.MinRevealBlocks = p.MaxRevealBlocks + 1
				_, err := a.Msg.UpdateParams(a.Ctx, &types.MsgUpdateParams{Authority: gov, Params: p})
				return err
			}
		}, types.ErrInvalidParams},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := newAuction(t)
			call := tc.prepare(t, a)
			before := a.Snapshot(t)
			err := call()
			require.ErrorIs(t, err, tc.want)
			require.Equal(t, before, a.Snapshot(t), "a rejected message changed state or coins")
			a.CheckInvariants(t)
		})
	}
}

func TestParamsUpdateByGovernance(t *testing.T) {
	f := fixture.New(t)
	p := types.DefaultParams()
	p.MaxBidsPerOrder = 7
	_, err := f.Msg.UpdateParams(f.Ctx, &types.MsgUpdateParams{Authority: authtypes.NewModuleAddress(govtypes.ModuleName).String(), Params: p})
	require.NoError(t, err)
	got, err := f.Keeper.Params.Get(f.Ctx)
	require.NoError(t, err)
	require.Equal(t, uint32(7), got.MaxBidsPerOrder)
}
