package simulation

import (
	"context"
	"errors"
	"fmt"

	"cosmossdk.io/collections"

	"github.com/cosmos/cosmos-sdk/testutil/simsx"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/fogchain/fog/testutil/simfog"
	"github.com/fogchain/fog/x/quorum/keeper"
	"github.com/fogchain/fog/x/quorum/types"
)

// invalidPercent of the auditors' messages are deliberately invalid.
const invalidPercent = 10

// expectOK is the result handler of a message built to succeed.
var expectOK simsx.SimDeliveryResultHandler

// auditors lists the approved auditors, in key order.
func auditors(ctx context.Context, k keeper.Keeper) ([]sdk.AccAddress, error) {
	var out []sdk.AccAddress
	err := k.Auditors.Walk(ctx, nil, func(a sdk.AccAddress, _ types.Auditor) (bool, error) {
		out = append(out, a)
		return false, nil
	})
	return out, err
}

// signedOf lists the attributes entries of a provider, by auditor.
func signedOf(ctx context.Context, k keeper.Keeper, provider sdk.AccAddress) ([]types.AuditedAttributes, error) {
	var out []types.AuditedAttributes
	err := k.Attributes.Walk(ctx, collections.NewPrefixedPairRange[sdk.AccAddress, sdk.AccAddress](provider),
		func(_ collections.Pair[sdk.AccAddress, sdk.AccAddress], e types.AuditedAttributes) (bool, error) {
			out = append(out, e)
			return false, nil
		})
	return out, err
}

func notIn(addrs []sdk.AccAddress) simsx.SimAccountFilter {
	return simsx.SimAccountFilterFn(func(a simsx.SimAccount) bool {
		for _, x := range addrs {
			if x.Equals(a.Address) {
				return false
			}
		}
		return true
	})
}

// expectedSignError is what the msg server answers an approved auditor's MsgSignProviderAttributes
// with under params p, given what the auditor signed for the provider before: the attributes'
// check, then the count of the merged attributes.
func expectedSignError(p types.Params, before types.AuditedAttributes, attrs []types.Attribute) error {
	if err := types.ValidateAttributes(attrs, p.MaxAttributes, p.MaxAttributeBytes); err != nil {
		return types.ErrInvalidAttributes
	}
	merged := map[string]bool{}
	for _, a := range before.Attributes {
		merged[a.Key] = true
	}
	for _, a := range attrs {
		merged[a.Key] = true
	}
	if len(merged) > int(p.MaxAttributes) {
		return types.ErrInvalidAttributes
	}
	return nil
}

// MsgSignProviderAttributesFactory has a random approved auditor sign a random account's ASN and/or
// power region (RandomAttributes: mostly the true values, sometimes others), expecting what the
// params allow (an attribute longer than max_attribute_bytes, or more attributes than max_attributes
// with what the auditor signed before: ErrInvalidAttributes); invalid: an account that is no approved
// auditor (ErrAuditorNotFound), an upper-case key (ErrInvalidAttributes), or max_attributes + 1
// attributes (ErrInvalidAttributes).
func MsgSignProviderAttributesFactory(k keeper.Keeper) *simsx.ResultHandlingSimMsgFactory[*types.MsgSignProviderAttributes] {
	return simsx.NewSimMsgFactoryWithDeliveryResultHandler(func(ctx context.Context, testData *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgSignProviderAttributes, simsx.SimDeliveryResultHandler) {
		r := testData.Rand()
		p, err := k.Params.Get(ctx)
		if err != nil {
			reporter.Skipf("params: %s", err)
			return nil, nil, nil
		}
		approved, err := auditors(ctx, k)
		if err != nil {
			reporter.Skipf("auditors: %s", err)
			return nil, nil, nil
		}
		provider := testData.AnyAccount(reporter)
		if reporter.IsSkipped() {
			return nil, nil, nil
		}
		attrs := RandomAttributes(r.Rand, provider.Address, 85)
		invalid := simfog.Percent(r, invalidPercent)
		if invalid && (len(approved) == 0 || simfog.Percent(r, 40)) {
			acc := testData.AnyAccount(reporter, notIn(approved))
			if reporter.IsSkipped() {
				return nil, nil, nil
			}
			return []simsx.SimAccount{acc}, &types.MsgSignProviderAttributes{Auditor: acc.AddressBech32, Provider: provider.AddressBech32, Attributes: attrs},
				simfog.ExpectError(types.ErrAuditorNotFound)
		}
		if len(approved) == 0 {
			reporter.Skip("no approved auditor")
			return nil, nil, nil
		}
		auditor := testData.GetAccountbyAccAddr(reporter, simfog.Pick(r, approved))
		if reporter.IsSkipped() {
			return nil, nil, nil
		}
		msg := &types.MsgSignProviderAttributes{Auditor: auditor.AddressBech32, Provider: provider.AddressBech32, Attributes: attrs}
		if invalid {
			if simfog.Percent(r, 50) {
				msg.Attributes = append(msg.Attributes, types.Attribute{Key: "ASN", Value: ASNOf(provider.Address)})
			} else {
				msg.Attributes = nil
				for i := range int(p.MaxAttributes) + 1 {
					msg.Attributes = append(msg.Attributes, types.Attribute{Key: fmt.Sprintf("k%d", i), Value: "v"})
				}
			}
			return []simsx.SimAccount{auditor}, msg, simfog.ExpectError(types.ErrInvalidAttributes)
		}
		before, err := k.Attributes.Get(ctx, collections.Join(provider.Address, auditor.Address))
		if err != nil && !errors.Is(err, collections.ErrNotFound) {
			reporter.Skipf("attributes: %s", err)
			return nil, nil, nil
		}
		if want := expectedSignError(p, before, attrs); want != nil {
			return []simsx.SimAccount{auditor}, msg, simfog.ExpectError(want)
		}
		return []simsx.SimAccount{auditor}, msg, expectOK
	})
}

// MsgDeleteProviderAttributesFactory has an auditor (approved or not any more) delete attributes it
// signed for a provider: all of them (no keys) or some; invalid: a pair with no signature, a key the
// auditor never signed (ErrAttributesNotFound), a malformed key, or more keys than it signed
// (ErrInvalidAttributes).
func MsgDeleteProviderAttributesFactory(k keeper.Keeper) *simsx.ResultHandlingSimMsgFactory[*types.MsgDeleteProviderAttributes] {
	return simsx.NewSimMsgFactoryWithDeliveryResultHandler(func(ctx context.Context, testData *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgDeleteProviderAttributes, simsx.SimDeliveryResultHandler) {
		r := testData.Rand()
		invalid := simfog.Percent(r, invalidPercent)
		if invalid && simfog.Percent(r, 25) {
			provider, auditor := testData.AnyAccount(reporter), testData.AnyAccount(reporter)
			if reporter.IsSkipped() {
				return nil, nil, nil
			}
			if has, err := k.Attributes.Has(ctx, collections.Join(provider.Address, auditor.Address)); err != nil || has {
				reporter.Skip("the pair has signed attributes")
				return nil, nil, nil
			}
			return []simsx.SimAccount{auditor}, &types.MsgDeleteProviderAttributes{Auditor: auditor.AddressBech32, Provider: provider.AddressBech32},
				simfog.ExpectError(types.ErrAttributesNotFound)
		}
		// an entry of a random provider: most accounts have one
		var entries []types.AuditedAttributes
		for range 5 {
			provider := testData.AnyAccount(reporter)
			if reporter.IsSkipped() {
				return nil, nil, nil
			}
			var err error
			if entries, err = signedOf(ctx, k, provider.Address); err != nil {
				reporter.Skipf("attributes: %s", err)
				return nil, nil, nil
			}
			if len(entries) > 0 {
				break
			}
		}
		if len(entries) == 0 {
			reporter.Skip("no signed attributes found")
			return nil, nil, nil
		}
		e := simfog.Pick(r, entries)
		auditor := testData.GetAccount(reporter, e.Auditor)
		if reporter.IsSkipped() {
			return nil, nil, nil
		}
		msg := &types.MsgDeleteProviderAttributes{Auditor: e.Auditor, Provider: e.Provider}
		if invalid {
			switch r.Intn(3) {
			case 0:
				msg.Keys = []string{"never-signed"}
				return []simsx.SimAccount{auditor}, msg, simfog.ExpectError(types.ErrAttributesNotFound)
			case 1:
				msg.Keys = []string{"Not A Key"}
			default:
				for _, a := range e.Attributes {
					msg.Keys = append(msg.Keys, a.Key)
				}
				msg.Keys = append(msg.Keys, "never-signed")
			}
			return []simsx.SimAccount{auditor}, msg, simfog.ExpectError(types.ErrInvalidAttributes)
		}
		if !simfog.Percent(r, 30) {
			for _, i := range r.Perm(len(e.Attributes))[:1+r.Intn(len(e.Attributes))] {
				msg.Keys = append(msg.Keys, e.Attributes[i].Key)
			}
		}
		return []simsx.SimAccount{auditor}, msg, expectOK
	})
}

// MsgUpdateParamsFactory is a governance proposal that sets random valid params (for a gold tier of
// 2 to 4 replicas: the market's may have changed by the time the proposal passes).
func MsgUpdateParamsFactory() simsx.SimMsgFactoryFn[*types.MsgUpdateParams] {
	return func(_ context.Context, testData *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgUpdateParams) {
		return nil, &types.MsgUpdateParams{Authority: testData.ModuleAccountAddress(reporter, "gov"), Params: RandomParams(testData.Rand().Rand, 0)}
	}
}

// MsgAddAuditorFactory is a governance proposal that approves an account that is no auditor yet.
// (It executes when the proposal passes, by when max_auditors may have been reached: the proposal
// then fails, as it would on a chain.)
func MsgAddAuditorFactory(k keeper.Keeper) simsx.SimMsgFactoryFn[*types.MsgAddAuditor] {
	return func(ctx context.Context, testData *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgAddAuditor) {
		approved, err := auditors(ctx, k)
		if err != nil {
			reporter.Skipf("auditors: %s", err)
			return nil, nil
		}
		acc := testData.AnyAccount(reporter, notIn(approved))
		if reporter.IsSkipped() {
			return nil, nil
		}
		return nil, &types.MsgAddAuditor{Authority: testData.ModuleAccountAddress(reporter, "gov"), Auditor: acc.AddressBech32,
			Description: fmt.Sprintf("simulated auditor %d", testData.Rand().Intn(1000))}
	}
}

// MsgRemoveAuditorFactory is a governance proposal that withdraws an approved auditor's approval.
func MsgRemoveAuditorFactory(k keeper.Keeper) simsx.SimMsgFactoryFn[*types.MsgRemoveAuditor] {
	return func(ctx context.Context, testData *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgRemoveAuditor) {
		approved, err := auditors(ctx, k)
		if err != nil {
			reporter.Skipf("auditors: %s", err)
			return nil, nil
		}
		if len(approved) == 0 {
			reporter.Skip("no approved auditor")
			return nil, nil
		}
		return nil, &types.MsgRemoveAuditor{Authority: testData.ModuleAccountAddress(reporter, "gov"), Auditor: simfog.Pick(testData.Rand(), approved).String()}
	}
}

// MsgUpdateParamsUnauthorizedFactory sends MsgUpdateParams from an ordinary account, expecting
// ErrInvalidAuthority.
func MsgUpdateParamsUnauthorizedFactory(k keeper.Keeper) *simsx.ResultHandlingSimMsgFactory[*types.MsgUpdateParams] {
	return simfog.Unauthorized(func(ctx context.Context, authority string) (*types.MsgUpdateParams, error) {
		p, err := k.Params.Get(ctx)
		return &types.MsgUpdateParams{Authority: authority, Params: p}, err
	}, types.ErrInvalidAuthority)
}

// MsgAddAuditorUnauthorizedFactory has an ordinary account approve itself as an auditor, expecting
// ErrInvalidAuthority.
func MsgAddAuditorUnauthorizedFactory() *simsx.ResultHandlingSimMsgFactory[*types.MsgAddAuditor] {
	return simfog.Unauthorized(func(_ context.Context, authority string) (*types.MsgAddAuditor, error) {
		return &types.MsgAddAuditor{Authority: authority, Auditor: authority, Description: "self-approved"}, nil
	}, types.ErrInvalidAuthority)
}

// MsgRemoveAuditorUnauthorizedFactory has an ordinary account remove an approved auditor (or
// itself, when there is none), expecting ErrInvalidAuthority.
func MsgRemoveAuditorUnauthorizedFactory(k keeper.Keeper) *simsx.ResultHandlingSimMsgFactory[*types.MsgRemoveAuditor] {
	return simfog.Unauthorized(func(ctx context.Context, authority string) (*types.MsgRemoveAuditor, error) {
		approved, err := auditors(ctx, k)
		target := authority
		if len(approved) > 0 {
			target = approved[0].String()
		}
		return &types.MsgRemoveAuditor{Authority: authority, Auditor: target}, err
	}, types.ErrInvalidAuthority)
}
