package market

import (
	"fmt"

	autocliv1 "cosmossdk.io/api/cosmos/autocli/v1"

	"github.com/cosmos/cosmos-sdk/version"

	"github.com/fogchain/fog/x/market/types"
)

// AutoCLIOptions describes the market's query commands and the transaction commands that need no
// hand-written form (those that do live in client/cli).
func (AppModule) AutoCLIOptions() *autocliv1.ModuleOptions {
	app := version.AppName
	return &autocliv1.ModuleOptions{
		Query: &autocliv1.ServiceCommandDescriptor{
			Service: types.Query_serviceDesc.ServiceName,
			RpcCommandOptions: []*autocliv1.RpcCommandOptions{
				{RpcMethod: "Params", Use: "params", Short: "Show the market's params"},
				{
					RpcMethod: "Provider", Use: "provider [address]", Short: "Show a registered provider",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "address"}},
				},
				{RpcMethod: "Providers", Use: "providers", Short: "List registered providers"},
				{
					RpcMethod: "Order", Use: "order [id]", Short: "Show an order",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "id"}},
				},
				{
					RpcMethod: "Orders", Use: "orders", Short: "List orders, optionally by owner and state",
					Example: fmt.Sprintf("%s q market orders --owner fog1... --state open -o json", app),
				},
				{
					RpcMethod: "OrdersByState", Use: "orders-by-state [state]", Short: "List the orders in one state (open, matched, failed, cancelled)",
					Example:        fmt.Sprintf("%s q market orders-by-state open --page-limit 50", app),
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "state"}},
				},
				{
					RpcMethod: "Bids", Use: "bids [order-id]", Short: "List the bids on an order (commitments stay hidden until revealed)",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "order_id"}},
				},
				{
					RpcMethod: "Bid", Use: "bid [order-id] [provider]", Short: "Show one provider's bid on an order (its commitment stays hidden until revealed)",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "order_id"}, {ProtoField: "provider"}},
				},
				{
					RpcMethod: "LeasesByOrder", Use: "leases-by-order [order-id]", Short: "List the leases an order's auction made",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "order_id"}},
				},
				{
					RpcMethod: "Lease", Use: "lease [id]", Short: "Show a lease and what it has accrued",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "id"}},
				},
				{
					RpcMethod: "Leases", Use: "leases", Short: "List leases, optionally by provider, owner and state",
					Example: fmt.Sprintf("%s q market leases --provider fog1... --state active", app),
				},
				{
					RpcMethod: "ProviderLeases", Use: "provider-leases [provider]", Short: "List a provider's leases, optionally only those in one state",
					Example:        fmt.Sprintf("%s q market provider-leases fog1... --state active", app),
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "provider"}},
				},
				{
					RpcMethod: "Quote", Use: "quote", Short: "Suggest a max price per block from the market's price bands",
					Example:     fmt.Sprintf("%s q market quote --cpu-millicores 1000 --sla-tier silver --lease-blocks 100", app),
					FlagOptions: map[string]*autocliv1.FlagOptions{"tier": {Name: "sla-tier", Usage: "SLA tier of the order: TIER_BRONZE, TIER_SILVER or TIER_GOLD (or bronze, silver, gold)"}},
				},
				{RpcMethod: "Market", Use: "market", Short: "Summarize the market: price bands, open orders, leases, money held"},
			},
		},
		Tx: &autocliv1.ServiceCommandDescriptor{
			Service:              types.Msg_serviceDesc.ServiceName,
			EnhanceCustomCommand: true,
			RpcCommandOptions: []*autocliv1.RpcCommandOptions{
				{RpcMethod: "RegisterProvider", Skip: true},
				{RpcMethod: "UpdateProvider", Skip: true},
				{
					RpcMethod: "DeregisterProvider", Use: "deregister-provider",
					Short: "Remove the signer's provider registration and get its bond back (once it has no live bids and no unfinished leases)",
				},
				{RpcMethod: "CreateOrder", Skip: true},
				{RpcMethod: "CommitBid", Skip: true},
				{RpcMethod: "RevealBid", Skip: true},
				{
					RpcMethod: "CancelOrder", Use: "cancel-order [order-id]",
					Short:          "Cancel an order during its commit phase; the escrow and every bid deposit are returned",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "order_id"}},
				},
				{
					RpcMethod: "WithdrawBid", Use: "withdraw-bid [order-id]",
					Short:          "Withdraw a bid before the order's withdraw deadline; the deposit is returned less the withdraw fee, which goes to the order's owner",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "order_id"}},
				},
				{
					RpcMethod: "StartLease", Use: "start-lease [lease-id]",
					Short:          "Start a won lease (provider); its term and payment begin now",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "lease_id"}},
				},
				{
					RpcMethod: "WithdrawLease", Use: "withdraw-lease [lease-id]",
					Short:          "Withdraw what a lease has accrued (provider)",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "lease_id"}},
				},
				{
					RpcMethod: "CloseLease", Use: "close-lease [lease-id]",
					Short:          "Close a lease early (owner or provider); it settles and refunds",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "lease_id"}},
				},
				{RpcMethod: "UpdateParams", Skip: true}, // hand-written: takes a params file with decimals
			},
		},
	}
}
