package quorum

import (
	autocliv1 "cosmossdk.io/api/cosmos/autocli/v1"

	"github.com/fogchain/fog/x/quorum/types"
)

// AutoCLIOptions describes the quorum commands.
func (AppModule) AutoCLIOptions() *autocliv1.ModuleOptions {
	return &autocliv1.ModuleOptions{
		Query: &autocliv1.ServiceCommandDescriptor{
			Service: types.Query_serviceDesc.ServiceName,
			RpcCommandOptions: []*autocliv1.RpcCommandOptions{
				{RpcMethod: "Params", Use: "params", Short: "Show the quorum params"},
				{RpcMethod: "Tiers", Use: "tiers", Short: "What each SLA tier promises (p95 latency, uptime) and requires of its replica sets"},
				{RpcMethod: "Auditors", Use: "auditors", Short: "List the auditors governance approved"},
				{
					RpcMethod: "Auditor", Use: "auditor [address]", Short: "Show an approved auditor",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "address"}},
				},
				{
					RpcMethod: "ProviderAttributes", Use: "provider-attributes [provider]",
					Short:          "Every auditor's signed attributes of a provider, and what counts of it for diversity (ASN, power region, TEE vendor)",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "provider"}},
				},
				{
					RpcMethod: "ValidateDiversity", Use: "validate-diversity [tier] [provider...]",
					Short:          "Check a set of providers against a tier (bronze, silver, gold), constraint by constraint",
					Example:        "fogd q quorum validate-diversity gold fog1... fog1... fog1...",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "tier"}, {ProtoField: "providers", Varargs: true}},
				},
				{
					RpcMethod: "Quorum", Use: "quorum [order-id]",
					Short:          "The quorum record of a matched order: members with roles and health, replacements, standbys",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "order_id"}},
				},
				{
					RpcMethod: "Quorums", Use: "quorums",
					Short:   "List the quorum records by order id (--state active or ended to filter)",
					Example: "fogd q quorum quorums --state active",
				},
			},
		},
		Tx: &autocliv1.ServiceCommandDescriptor{
			Service:              types.Msg_serviceDesc.ServiceName,
			EnhanceCustomCommand: true,
			RpcCommandOptions: []*autocliv1.RpcCommandOptions{
				{
					RpcMethod: "AddAuditor", Use: "add-auditor-proposal [auditor] [description]",
					Short:          "Submit a governance proposal to approve an auditor of provider attributes",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "auditor"}, {ProtoField: "description"}},
					GovProposal:    true,
				},
				{
					RpcMethod: "RemoveAuditor", Use: "remove-auditor-proposal [auditor]",
					Short:          "Submit a governance proposal to withdraw an auditor's approval",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "auditor"}},
					GovProposal:    true,
				},
				{RpcMethod: "SignProviderAttributes", Skip: true},   // hand-written: key=value arguments
				{RpcMethod: "DeleteProviderAttributes", Skip: true}, // hand-written: keys as arguments
				{RpcMethod: "UpdateParams", Skip: true},
			},
		},
	}
}
