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
				{RpcMethod: "Verifiers", Use: "verifiers", Short: "List the verifier pool (audit committees and SLA observers are drawn from it)"},
				{
					RpcMethod: "Audit", Use: "audit [id]", Short: "Show an audit: its receipt, committee, votes and verdict",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "id"}},
				},
				{RpcMethod: "Audits", Use: "audits", Short: "List audits (--lease-id to filter)"},
				{
					RpcMethod: "Watch", Use: "watch [lease-id]", Short: "Show a lease's SLA watch: observers and each window's reports and verdict",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "lease_id"}},
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
				{
					RpcMethod: "JoinVerifierPool", Use: "join-verifier-pool",
					Short: "Lock the verifier deposit to be drawn into audit committees and as an SLA observer (a registered provider; the worker does this with [verifier] join = true)",
				},
				{RpcMethod: "LeaveVerifierPool", Use: "leave-verifier-pool", Short: "Leave the verifier pool (no open duty) and get the deposit back"},
				{RpcMethod: "RequestAudit", Skip: true},    // `fogd client audit`: it serves the module and input to the committee
				{RpcMethod: "CommitAuditVote", Skip: true}, // the worker's committee duty
				{RpcMethod: "RevealAuditVote", Skip: true},
				{
					RpcMethod: "WatchLease", Use: "watch-lease [lease-id] [windows]",
					Short:          "Pay observers to check a lease's SLA (p95 latency, availability) for some windows; a breached window's payout goes back to the owner",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "lease_id"}, {ProtoField: "windows"}},
				},
				{RpcMethod: "SubmitSlaReport", Skip: true}, // the worker's observer duty
			},
		},
	}
}
