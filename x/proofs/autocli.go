package proofs

import (
	autocliv1 "cosmossdk.io/api/cosmos/autocli/v1"

	"github.com/fogchain/fog/x/proofs/types"
)

// AutoCLIOptions describes the proofs commands.
func (AppModule) AutoCLIOptions() *autocliv1.ModuleOptions {
	return &autocliv1.ModuleOptions{
		Query: &autocliv1.ServiceCommandDescriptor{
			Service: types.Query_serviceDesc.ServiceName,
			RpcCommandOptions: []*autocliv1.RpcCommandOptions{
				{RpcMethod: "Params", Use: "params", Short: "Show the proofs params"},
				{
					RpcMethod: "Batch", Use: "batch [id]", Short: "Show an anchored batch",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "id"}},
				},
				{RpcMethod: "Batches", Use: "batches", Short: "List anchored batches, by lease or submitter"},
				{RpcMethod: "VerifyInclusion", Skip: true}, // `fogd client verify-receipt` checks inclusion
				{
					RpcMethod: "Circuit", Use: "circuit [id]", Short: "Show a registered circuit",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "id"}},
				},
				{RpcMethod: "Circuits", Use: "circuits", Short: "List registered circuits"},
				{
					RpcMethod: "Claim", Use: "claim [id]", Short: "Show a verified claim",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "id"}},
				},
				{RpcMethod: "Claims", Use: "claims", Short: "List verified claims, optionally of one circuit"},
			},
		},
		Tx: &autocliv1.ServiceCommandDescriptor{
			Service:              types.Msg_serviceDesc.ServiceName,
			EnhanceCustomCommand: true,
			RpcCommandOptions: []*autocliv1.RpcCommandOptions{
				{
					RpcMethod: "DeactivateCircuit", Use: "deactivate-circuit-proposal [circuit-id]",
					Short:          "Submit a governance proposal to deactivate a circuit",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "circuit_id"}},
					GovProposal:    true,
				},
				{RpcMethod: "AnchorBatch", Skip: true},     // the worker anchors its receipts
				{RpcMethod: "RegisterCircuit", Skip: true}, // hand-written: takes a key file
				{RpcMethod: "VerifyProof", Skip: true},     // hand-written: takes a proof file
				{RpcMethod: "UpdateParams", Skip: true},
			},
		},
	}
}
