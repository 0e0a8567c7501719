package keeper_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	sdk "github.com/cosmos/cosmos-sdk/types"
	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"

	"github.com/fogchain/fog/testutil/fixture"
	"github.com/fogchain/fog/x/quorum/keeper"
	"github.com/fogchain/fog/x/quorum/types"
)

// qenv is a fixture with one approved auditor that signed asn and power-region of provider, and a
// removed auditor whose signature of provider's asn stays in state.
type qenv struct {
	*fixture.Fixture
	msg      types.MsgServer
	auditor  sdk.AccAddress // approved; signed asn=AS1, power-region=r1 of provider
	removed  sdk.AccAddress // approval withdrawn; signed asn=AS2 of provider
	stranger sdk.AccAddress // never approved
	provider sdk.AccAddress
}

func newQenv(t *testing.T) *qenv {
	f := fixture.New(t)
	e := &qenv{Fixture: f, msg: keeper.NewMsgServerImpl(f.Quorum), auditor: addAuditor(t, f), removed: addAuditor(t, f),
		stranger: f.NewAccount(t, 1_000_000), provider: f.NewProvider(t)}
	signAttrs(t, f, e.auditor, e.provider, kv("asn", "AS1", "power-region", "r1")...)
	signAttrs(t, f, e.removed, e.provider, kv("asn", "AS2")...)
	removeAuditor(t, f, e.removed)
	return e
}

func (e *qenv) updateParams(authority string, mutate func(*types.Params)) func() error {
	return func() error {
		p := types.DefaultParams()
		mutate(&p)
		_, err := e.msg.UpdateParams(e.Ctx, &types.MsgUpdateParams{Authority: authority, Params: p})
		return err
	}
}

func (e *qenv) addAuditor(authority, auditor, description string) func() error {
	return func() error {
		_, err := e.msg.AddAuditor(e.Ctx, &types.MsgAddAuditor{Authority: authority, Auditor: auditor, Description: description})
		return err
	}
}

func (e *qenv) removeAuditor(authority, auditor string) func() error {
	return func() error {
		_, err := e.msg.RemoveAuditor(e.Ctx, &types.MsgRemoveAuditor{Authority: authority, Auditor: auditor})
		return err
	}
}

func (e *qenv) sign(auditor, provider string, attrs []types.Attribute) func() error {
	return func() error {
		_, err := e.msg.SignProviderAttributes(e.Ctx, &types.MsgSignProviderAttributes{Auditor: auditor, Provider: provider, Attributes: attrs})
		return err
	}
}

func (e *qenv) del(auditor, provider string, keys ...string) func() error {
	return func() error {
		_, err := e.msg.DeleteProviderAttributes(e.Ctx, &types.MsgDeleteProviderAttributes{Auditor: auditor, Provider: provider, Keys: keys})
		return err
	}
}

// invalidParams breaks each bound of Params.Validate once.
var invalidParams = []struct {
	name   string
	mutate func(*types.Params)
}{
	{"bronze latency 0", func(p *types.Params) { p.Bronze.MaxP95LatencyMs = 0 }},
	{"gold latency over one hour", func(p *types.Params) { p.Gold.MaxP95LatencyMs = types.MaxLatencyMs + 1 }},
	{"silver uptime 0", func(p *types.Params) { p.Silver.MinUptimeBps = 0 }},
	{"gold uptime over 100 %", func(p *types.Params) { p.Gold.MinUptimeBps = types.MaxUptimeBps + 1 }},
	{"bronze min_replicas 0", func(p *types.Params) { p.Bronze.MinReplicas = 0 }},
	{"gold min_replicas 65", func(p *types.Params) { p.Gold.MinReplicas = types.MaxReplicas + 1 }},
	{"silver canaries = min_replicas", func(p *types.Params) { p.Silver.Canaries = p.Silver.MinReplicas }},
	{"gold min_asns 65", func(p *types.Params) { p.Gold.MinAsns = types.MaxReplicas + 1 }},
	{"gold min_tee_vendors 3", func(p *types.Params) { p.Gold.MinTeeVendors = types.MaxTeeVendors + 1 }},
	{"gold min_power_regions 65", func(p *types.Params) { p.Gold.MinPowerRegions = types.MaxReplicas + 1 }},
	{"max_candidates 0", func(p *types.Params) { p.MaxCandidates = 0 }},
	{"max_candidates 21", func(p *types.Params) { p.MaxCandidates = types.MaxCandidates + 1 }},
	{"max_selection_work 128", func(p *types.Params) { p.MaxSelectionWork = types.MinSelectionWork - 1 }},
	{"max_selection_work 1,000,001", func(p *types.Params) { p.MaxSelectionWork = types.MaxSelectionWork + 1 }},
	{"max_attributes 0", func(p *types.Params) { p.MaxAttributes = 0 }},
	{"max_attributes 65", func(p *types.Params) { p.MaxAttributes = types.MaxAttributesBound + 1 }},
	{"max_attribute_bytes 0", func(p *types.Params) { p.MaxAttributeBytes = 0 }},
	{"max_attribute_bytes 257", func(p *types.Params) { p.MaxAttributeBytes = types.MaxAttributeBytesBound + 1 }},
	{"max_auditors 0", func(p *types.Params) { p.MaxAuditors = 0 }},
	{"max_auditors 1001", func(p *types.Params) { p.MaxAuditors = types.MaxAuditorsBound + 1 }},
}

type rejectCase struct {
	name string
	// prepare moves the state where the case needs it and returns the rejected call.
	prepare func(t *testing.T, e *qenv) func() error
	want    error
}

// Every bad input to every message is rejected with its registered error, changes no state (the
// module's exported genesis, the market's and every balance) and emits no event.
func TestBadMessagesAreRejectedWithoutSideEffects(t *testing.T) {
	cases := []rejectCase{
		// UpdateParams
		{"update params by an auditor", func(t *testing.T, e *qenv) func() error {
			return e.updateParams(e.auditor.String(), func(p *types.Params) { p.MaxAuditors = 7 })
		}, types.ErrInvalidAuthority},
		{"update params by the module account's neighbour", func(t *testing.T, e *qenv) func() error {
			return e.updateParams(sdk.AccAddress(make([]byte, 20)).String(), func(*types.Params) {})
		}, types.ErrInvalidAuthority},
		{"update params by a mixed-case authority", func(t *testing.T, e *qenv) func() error {
			_, mixed, _ := spellingsOf(t, sdk.MustAccAddressFromBech32(gov(e.Fixture)))
			return e.updateParams(mixed, func(*types.Params) {})
		}, sdkerrors.ErrInvalidAddress},
		{"update params by the authority of another prefix", func(t *testing.T, e *qenv) func() error {
			_, _, foreign := spellingsOf(t, sdk.MustAccAddressFromBech32(gov(e.Fixture)))
			return e.updateParams(foreign, func(*types.Params) {})
		}, sdkerrors.ErrInvalidAddress},
		{"update params with an empty authority", func(t *testing.T, e *qenv) func() error {
			return e.updateParams("", func(*types.Params) {})
		}, sdkerrors.ErrInvalidAddress},
		{"update params by an auditor, with invalid params", func(t *testing.T, e *qenv) func() error {
			return e.updateParams(e.auditor.String(), func(p *types.Params) { p.MaxAuditors = 0 })
		}, types.ErrInvalidAuthority},

		// AddAuditor
		{"add auditor by an auditor", func(t *testing.T, e *qenv) func() error {
			return e.addAuditor(e.auditor.String(), e.stranger.String(), "")
		}, types.ErrInvalidAuthority},
		{"add auditor by the auditor to be added", func(t *testing.T, e *qenv) func() error {
			return e.addAuditor(e.stranger.String(), e.stranger.String(), "")
		}, types.ErrInvalidAuthority},
		{"add a mixed-case auditor", func(t *testing.T, e *qenv) func() error {
			_, mixed, _ := spellingsOf(t, e.stranger)
			return e.addAuditor(gov(e.Fixture), mixed, "")
		}, types.ErrInvalidAddress},
		{"add an auditor of another prefix", func(t *testing.T, e *qenv) func() error {
			_, _, foreign := spellingsOf(t, e.stranger)
			return e.addAuditor(gov(e.Fixture), foreign, "")
		}, types.ErrInvalidAddress},
		{"add an empty auditor", func(t *testing.T, e *qenv) func() error {
			return e.addAuditor(gov(e.Fixture), "", "")
		}, types.ErrInvalidAddress},
		{"add an auditor with a bad checksum", func(t *testing.T, e *qenv) func() error {
			s := e.stranger.String()
			last := "q"
			if s[len(s)-1] == 'q' {
				last = "p"
			}
			return e.addAuditor(gov(e.Fixture), s[:len(s)-1]+last, "")
		}, types.ErrInvalidAddress},
		{"add auditor with a 257-byte description", func(t *testing.T, e *qenv) func() error {
			return e.addAuditor(gov(e.Fixture), e.stranger.String(), strings.Repeat("d", types.MaxDescriptionBytes+1))
		}, types.ErrInvalidAttributes},
		{"add auditor with a description of invalid UTF-8", func(t *testing.T, e *qenv) func() error {
			return e.addAuditor(gov(e.Fixture), e.stranger.String(), "audit \xff co")
		}, types.ErrInvalidAttributes},
		{"add an approved auditor", func(t *testing.T, e *qenv) func() error {
			return e.addAuditor(gov(e.Fixture), e.auditor.String(), "again")
		}, types.ErrAuditorExists},
		{"add an approved auditor spelt in upper case", func(t *testing.T, e *qenv) func() error {
			upper, _, _ := spellingsOf(t, e.auditor)
			return e.addAuditor(gov(e.Fixture), upper, "again")
		}, types.ErrAuditorExists},
		{"add an auditor beyond max_auditors", func(t *testing.T, e *qenv) func() error {
			setQuorumParams(t, e.Fixture, func(p *types.Params) { p.MaxAuditors = 1 })
			return e.addAuditor(gov(e.Fixture), e.stranger.String(), "")
		}, types.ErrTooManyAuditors},
		{"add an auditor when max_auditors was lowered below the approved", func(t *testing.T, e *qenv) func() error {
			addAuditor(t, e.Fixture)
			setQuorumParams(t, e.Fixture, func(p *types.Params) { p.MaxAuditors = 1 })
			return e.addAuditor(gov(e.Fixture), e.stranger.String(), "")
		}, types.ErrTooManyAuditors},

		// RemoveAuditor
		{"remove auditor by an auditor", func(t *testing.T, e *qenv) func() error {
			return e.removeAuditor(e.auditor.String(), e.auditor.String())
		}, types.ErrInvalidAuthority},
		{"remove an account never approved", func(t *testing.T, e *qenv) func() error {
			return e.removeAuditor(gov(e.Fixture), e.stranger.String())
		}, types.ErrAuditorNotFound},
		{"remove an auditor twice", func(t *testing.T, e *qenv) func() error {
			return e.removeAuditor(gov(e.Fixture), e.removed.String())
		}, types.ErrAuditorNotFound},
		{"remove a mixed-case auditor", func(t *testing.T, e *qenv) func() error {
			_, mixed, _ := spellingsOf(t, e.auditor)
			return e.removeAuditor(gov(e.Fixture), mixed)
		}, types.ErrInvalidAddress},

		// SignProviderAttributes
		{"sign by an account never approved", func(t *testing.T, e *qenv) func() error {
			return e.sign(e.stranger.String(), e.provider.String(), kv("asn", "AS9"))
		}, types.ErrAuditorNotFound},
		{"sign by a removed auditor", func(t *testing.T, e *qenv) func() error {
			return e.sign(e.removed.String(), e.provider.String(), kv("asn", "AS9"))
		}, types.ErrAuditorNotFound},
		{"sign by the authority", func(t *testing.T, e *qenv) func() error {
			return e.sign(gov(e.Fixture), e.provider.String(), kv("asn", "AS9"))
		}, types.ErrAuditorNotFound},
		{"sign by a mixed-case auditor", func(t *testing.T, e *qenv) func() error {
			_, mixed, _ := spellingsOf(t, e.auditor)
			return e.sign(mixed, e.provider.String(), kv("asn", "AS9"))
		}, types.ErrInvalidAddress},
		{"sign for a mixed-case provider", func(t *testing.T, e *qenv) func() error {
			_, mixed, _ := spellingsOf(t, e.provider)
			return e.sign(e.auditor.String(), mixed, kv("asn", "AS9"))
		}, types.ErrInvalidAddress},
		{"sign for a provider of another prefix", func(t *testing.T, e *qenv) func() error {
			_, _, foreign := spellingsOf(t, e.provider)
			return e.sign(e.auditor.String(), foreign, kv("asn", "AS9"))
		}, types.ErrInvalidAddress},
		{"sign for an empty provider", func(t *testing.T, e *qenv) func() error {
			return e.sign(e.auditor.String(), "", kv("asn", "AS9"))
		}, types.ErrInvalidAddress},
		{"sign no attributes", func(t *testing.T, e *qenv) func() error {
			return e.sign(e.auditor.String(), e.provider.String(), nil)
		}, types.ErrInvalidAttributes},
		{"sign max_attributes + 1 attributes", func(t *testing.T, e *qenv) func() error {
			return e.sign(e.auditor.String(), e.provider.String(), manyAttrs(int(types.DefaultParams().MaxAttributes)+1))
		}, types.ErrInvalidAttributes},
		{"sign a key twice", func(t *testing.T, e *qenv) func() error {
			return e.sign(e.auditor.String(), e.provider.String(), kv("asn", "AS7", "asn", "AS8"))
		}, types.ErrInvalidAttributes},
		{"sign an upper-case key", func(t *testing.T, e *qenv) func() error {
			return e.sign(e.auditor.String(), e.provider.String(), kv("ASN", "AS7"))
		}, types.ErrInvalidAttributes},
		{"sign a key with an underscore", func(t *testing.T, e *qenv) func() error {
			return e.sign(e.auditor.String(), e.provider.String(), kv("power_region", "r1"))
		}, types.ErrInvalidAttributes},
		{"sign a key with a space", func(t *testing.T, e *qenv) func() error {
			return e.sign(e.auditor.String(), e.provider.String(), kv("power region", "r1"))
		}, types.ErrInvalidAttributes},
		{"sign an empty key", func(t *testing.T, e *qenv) func() error {
			return e.sign(e.auditor.String(), e.provider.String(), kv("", "r1"))
		}, types.ErrInvalidAttributes},
		{"sign a key over max_attribute_bytes", func(t *testing.T, e *qenv) func() error {
			return e.sign(e.auditor.String(), e.provider.String(), kv(strings.Repeat("k", int(types.DefaultParams().MaxAttributeBytes)+1), "v"))
		}, types.ErrInvalidAttributes},
		{"sign an empty value", func(t *testing.T, e *qenv) func() error {
			return e.sign(e.auditor.String(), e.provider.String(), kv("asn", ""))
		}, types.ErrInvalidAttributes},
		{"sign a value over max_attribute_bytes", func(t *testing.T, e *qenv) func() error {
			return e.sign(e.auditor.String(), e.provider.String(), kv("asn", strings.Repeat("v", int(types.DefaultParams().MaxAttributeBytes)+1)))
		}, types.ErrInvalidAttributes},
		{"sign a value over a lowered max_attribute_bytes", func(t *testing.T, e *qenv) func() error {
			setQuorumParams(t, e.Fixture, func(p *types.Params) { p.MaxAttributeBytes = 4 })
			return e.sign(e.auditor.String(), e.provider.String(), kv("asn", "AS123"))
		}, types.ErrInvalidAttributes},
		{"sign a value with a newline", func(t *testing.T, e *qenv) func() error {
			return e.sign(e.auditor.String(), e.provider.String(), kv("asn", "AS1\nAS2"))
		}, types.ErrInvalidAttributes},
		{"sign a value with an escape sequence", func(t *testing.T, e *qenv) func() error {
			return e.sign(e.auditor.String(), e.provider.String(), kv("asn", "\x1b[2JAS1"))
		}, types.ErrInvalidAttributes},
		{"sign a value with a C1 control character (8-bit CSI)", func(t *testing.T, e *qenv) func() error {
			return e.sign(e.auditor.String(), e.provider.String(), kv("asn", "\u009b2JAS1"))
		}, types.ErrInvalidAttributes},
		{"sign a value with DEL", func(t *testing.T, e *qenv) func() error {
			return e.sign(e.auditor.String(), e.provider.String(), kv("asn", "AS\x7f"))
		}, types.ErrInvalidAttributes},
		{"sign a value with a leading space", func(t *testing.T, e *qenv) func() error {
			return e.sign(e.auditor.String(), e.provider.String(), kv("asn", " AS1"))
		}, types.ErrInvalidAttributes},
		{"sign a value with a trailing space", func(t *testing.T, e *qenv) func() error {
			return e.sign(e.auditor.String(), e.provider.String(), kv("asn", "AS1 "))
		}, types.ErrInvalidAttributes},
		{"sign a value of invalid UTF-8", func(t *testing.T, e *qenv) func() error {
			return e.sign(e.auditor.String(), e.provider.String(), kv("asn", "AS\xc31"))
		}, types.ErrInvalidAttributes},
		{"sign a good and a bad attribute", func(t *testing.T, e *qenv) func() error {
			return e.sign(e.auditor.String(), e.provider.String(), kv("asn", "AS7", "power-region", ""))
		}, types.ErrInvalidAttributes},
		{"sign new keys that take the merged count above max_attributes", func(t *testing.T, e *qenv) func() error {
			setQuorumParams(t, e.Fixture, func(p *types.Params) { p.MaxAttributes = 3 })
			// asn and power-region are signed; two new keys make 4
			return e.sign(e.auditor.String(), e.provider.String(), kv("asn", "AS7", "city", "x", "rack", "y"))
		}, types.ErrInvalidAttributes},
		{"sign a new key after max_attributes was lowered below the signed", func(t *testing.T, e *qenv) func() error {
			setQuorumParams(t, e.Fixture, func(p *types.Params) { p.MaxAttributes = 1 })
			return e.sign(e.auditor.String(), e.provider.String(), kv("asn", "AS7"))
		}, types.ErrInvalidAttributes},

		// DeleteProviderAttributes
		{"delete where nothing is signed for the provider", func(t *testing.T, e *qenv) func() error {
			return e.del(e.auditor.String(), e.stranger.String())
		}, types.ErrAttributesNotFound},
		{"delete what another auditor signed", func(t *testing.T, e *qenv) func() error {
			other := addAuditor(t, e.Fixture)
			return e.del(other.String(), e.provider.String(), "asn")
		}, types.ErrAttributesNotFound},
		{"delete as an account that never signed", func(t *testing.T, e *qenv) func() error {
			return e.del(e.stranger.String(), e.provider.String())
		}, types.ErrAttributesNotFound},
		{"delete a key not signed", func(t *testing.T, e *qenv) func() error {
			return e.del(e.auditor.String(), e.provider.String(), "city")
		}, types.ErrAttributesNotFound},
		{"delete a signed key and a key not signed", func(t *testing.T, e *qenv) func() error {
			return e.del(e.auditor.String(), e.provider.String(), "asn", "city")
		}, types.ErrAttributesNotFound},
		{"delete a key twice", func(t *testing.T, e *qenv) func() error {
			return e.del(e.auditor.String(), e.provider.String(), "asn", "asn")
		}, types.ErrInvalidAttributes},
		{"delete by a removed auditor a key it did not sign", func(t *testing.T, e *qenv) func() error {
			return e.del(e.removed.String(), e.provider.String(), "power-region")
		}, types.ErrAttributesNotFound},
		{"delete an upper-case key", func(t *testing.T, e *qenv) func() error {
			return e.del(e.auditor.String(), e.provider.String(), "ASN")
		}, types.ErrInvalidAttributes},
		{"delete an empty key", func(t *testing.T, e *qenv) func() error {
			return e.del(e.auditor.String(), e.provider.String(), "")
		}, types.ErrInvalidAttributes},
		{"delete more keys than signed", func(t *testing.T, e *qenv) func() error {
			return e.del(e.auditor.String(), e.provider.String(), "asn", "power-region", "city")
		}, types.ErrInvalidAttributes},
		{"delete for a mixed-case provider", func(t *testing.T, e *qenv) func() error {
			_, mixed, _ := spellingsOf(t, e.provider)
			return e.del(e.auditor.String(), mixed)
		}, types.ErrInvalidAddress},
		{"delete as an auditor of another prefix", func(t *testing.T, e *qenv) func() error {
			_, _, foreign := spellingsOf(t, e.auditor)
			return e.del(foreign, e.provider.String())
		}, types.ErrInvalidAddress},
	}
	for _, bad := range invalidParams {
		cases = append(cases, rejectCase{"update params: " + bad.name, func(t *testing.T, e *qenv) func() error {
			return e.updateParams(gov(e.Fixture), bad.mutate)
		}, types.ErrInvalidParams})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newQenv(t)
			call := c.prepare(t, e)
			before, snap := exportQuorum(t, e.Fixture), e.Snapshot(t)
			freshEvents(e.Fixture)
			err := call()
			require.ErrorIs(t, err, c.want)
			require.Equal(t, before, exportQuorum(t, e.Fixture), "a rejected message changed the quorum state")
			require.Equal(t, snap, e.Snapshot(t), "a rejected message changed the market or moved coins")
			require.Empty(t, e.Ctx.EventManager().Events(), "a rejected message emitted events")
		})
	}
}
