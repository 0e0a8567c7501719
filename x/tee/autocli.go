package tee

import (
	autocliv1 "cosmossdk.io/api/cosmos/autocli/v1"

	"github.com/fogchain/fog/x/tee/types"
)

// AutoCLIOptions describes the tee commands.
func (AppModule) AutoCLIOptions() *autocliv1.ModuleOptions {
	return &autocliv1.ModuleOptions{
		Query: &autocliv1.ServiceCommandDescriptor{
			Service: types.Query_serviceDesc.ServiceName,
			RpcCommandOptions: []*autocliv1.RpcCommandOptions{
				{RpcMethod: "Params", Use: "params", Short: "Show the tee params (roots, allowed measurements, windows)"},
				{
					RpcMethod: "Enclave", Use: "enclave [provider]", Short: "Show a provider's enclave record and whether it is valid now",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "provider"}},
				},
				{RpcMethod: "Enclaves", Use: "enclaves", Short: "List enclave records, optionally of one TEE type (--tee-type)"},
				{RpcMethod: "Status", Use: "status", Short: "Count valid enclave records per TEE type and those expiring soon"},
				{RpcMethod: "Nonce", Use: "nonce", Short: "Show the newest block hash evidence can bind"},
			},
		},
		Tx: &autocliv1.ServiceCommandDescriptor{
			Service:              types.Msg_serviceDesc.ServiceName,
			EnhanceCustomCommand: true,
			RpcCommandOptions: []*autocliv1.RpcCommandOptions{
				{RpcMethod: "SubmitAttestation", Skip: true}, // the worker attests (fogd worker)
				{RpcMethod: "UpdateParams", Skip: true},
			},
		},
	}
}
