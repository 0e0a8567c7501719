package reputation

import (
	autocliv1 "cosmossdk.io/api/cosmos/autocli/v1"

	"github.com/fogchain/fog/x/reputation/types"
)

// AutoCLIOptions describes the reputation commands.
func (AppModule) AutoCLIOptions() *autocliv1.ModuleOptions {
	return &autocliv1.ModuleOptions{
		Query: &autocliv1.ServiceCommandDescriptor{
			Service: types.Query_serviceDesc.ServiceName,
			RpcCommandOptions: []*autocliv1.RpcCommandOptions{
				{RpcMethod: "Params", Use: "params", Short: "Show the reputation params"},
				{
					RpcMethod: "Score", Use: "score [address]",
					Short:          "An account's α, β, mean, variance, lower bound and tier as of now (the prior if it has no outcomes)",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "address"}},
				},
				{RpcMethod: "Tiers", Use: "tiers", Short: "Tier definitions and member counts"},
				{RpcMethod: "Analytics", Use: "analytics", Short: "Histogram of scores, counts per tier, top accounts by lower bound"},
			},
		},
		Tx: &autocliv1.ServiceCommandDescriptor{
			Service:              types.Msg_serviceDesc.ServiceName,
			EnhanceCustomCommand: true,
			RpcCommandOptions: []*autocliv1.RpcCommandOptions{
				{RpcMethod: "UpdateParams", Skip: true}, // hand-written: takes a params file with decimals
			},
		},
	}
}
