package types_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	addresscodec "github.com/cosmos/cosmos-sdk/codec/address"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/fogchain/fog/x/quorum/types"
)

// addr is the canonical spelling of a test account (the configured bech32 prefix, as accaddr's
// codec reads it).
func addr(i int) string {
	b := make([]byte, 20)
	copy(b, fmt.Sprintf("account %d", i))
	return sdk.AccAddress(b).String()
}

// validGenesis holds two auditors and two entries, one of them by an auditor no longer approved.
func validGenesis() types.GenesisState {
	return types.GenesisState{
		Params: types.DefaultParams(),
		Auditors: []types.Auditor{
			{Address: addr(1), Description: "first auditor", AddedHeight: 3},
			{Address: addr(2), AddedHeight: 0},
		},
		Attributes: []types.AuditedAttributes{
			{Provider: addr(10), Auditor: addr(1), Attributes: attrs("asn", "AS1", "power-region", "r1"), SignedHeight: 4},
			{Provider: addr(10), Auditor: addr(3), Attributes: attrs("asn", "AS2"), SignedHeight: 0},
		},
	}
}

func auditors(n int) []types.Auditor {
	out := make([]types.Auditor, n)
	for i := range out {
		out[i] = types.Auditor{Address: addr(1000 + i)}
	}
	return out
}

// Validate refuses every state the module could not have produced, with ErrInvalidGenesis (or
// ErrInvalidParams for the params); its bounds on attributes and auditors are the absolute ones,
// not the params'.
func TestGenesisValidate(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(*types.GenesisState)
		want   error // nil: valid
	}{
		{"valid", func(*types.GenesisState) {}, nil},
		{"empty but for params", func(gs *types.GenesisState) { gs.Auditors, gs.Attributes = nil, nil }, nil},
		{"invalid params", func(gs *types.GenesisState) { gs.Params.MaxAuditors = 0 }, types.ErrInvalidParams},
		{"zero params", func(gs *types.GenesisState) { gs.Params = types.Params{} }, types.ErrInvalidParams},

		// auditors
		{"upper-case auditor", func(gs *types.GenesisState) { gs.Auditors[0].Address = strings.ToUpper(addr(1)) }, types.ErrInvalidGenesis},
		{"mixed-case auditor", func(gs *types.GenesisState) {
			gs.Auditors[0].Address = strings.ToUpper(addr(1)[:8]) + addr(1)[8:]
		}, types.ErrInvalidGenesis},
		{"empty auditor address", func(gs *types.GenesisState) { gs.Auditors[0].Address = "" }, types.ErrInvalidGenesis},
		{"auditor address of another prefix", func(gs *types.GenesisState) {
			gs.Auditors[0].Address = foreign(t, addr(1))
		}, types.ErrInvalidGenesis},
		{"duplicate auditor", func(gs *types.GenesisState) { gs.Auditors[1].Address = gs.Auditors[0].Address }, types.ErrInvalidGenesis},
		{"description of 257 bytes", func(gs *types.GenesisState) { gs.Auditors[0].Description = strings.Repeat("d", 257) }, types.ErrInvalidGenesis},
		{"description of invalid UTF-8", func(gs *types.GenesisState) { gs.Auditors[0].Description = "audit \xff co" }, types.ErrInvalidGenesis},
		{"description of 256 bytes", func(gs *types.GenesisState) { gs.Auditors[0].Description = strings.Repeat("d", 256) }, nil},
		{"negative added_height", func(gs *types.GenesisState) { gs.Auditors[1].AddedHeight = -1 }, types.ErrInvalidGenesis},
		{"1001 auditors", func(gs *types.GenesisState) { gs.Auditors = auditors(types.MaxAuditorsBound + 1) }, types.ErrInvalidGenesis},
		{"1000 auditors, above max_auditors", func(gs *types.GenesisState) { gs.Auditors = auditors(types.MaxAuditorsBound) }, nil},

		// attributes
		{"upper-case provider", func(gs *types.GenesisState) { gs.Attributes[0].Provider = strings.ToUpper(addr(10)) }, types.ErrInvalidGenesis},
		{"upper-case entry auditor", func(gs *types.GenesisState) { gs.Attributes[0].Auditor = strings.ToUpper(addr(1)) }, types.ErrInvalidGenesis},
		{"empty provider", func(gs *types.GenesisState) { gs.Attributes[0].Provider = "" }, types.ErrInvalidGenesis},
		{"empty entry auditor", func(gs *types.GenesisState) { gs.Attributes[0].Auditor = "" }, types.ErrInvalidGenesis},
		{"duplicate (provider, auditor)", func(gs *types.GenesisState) { gs.Attributes[1].Auditor = gs.Attributes[0].Auditor }, types.ErrInvalidGenesis},
		{"same auditor, other provider", func(gs *types.GenesisState) { gs.Attributes[1].Provider, gs.Attributes[1].Auditor = addr(11), addr(1) }, nil},
		{"unsorted keys", func(gs *types.GenesisState) { gs.Attributes[0].Attributes = attrs("power-region", "r1", "asn", "AS1") }, types.ErrInvalidGenesis},
		{"no attributes", func(gs *types.GenesisState) { gs.Attributes[0].Attributes = nil }, types.ErrInvalidGenesis},
		{"duplicate key", func(gs *types.GenesisState) { gs.Attributes[0].Attributes = attrs("asn", "AS1", "asn", "AS1") }, types.ErrInvalidGenesis},
		{"bad key", func(gs *types.GenesisState) { gs.Attributes[0].Attributes = attrs("ASN", "AS1") }, types.ErrInvalidGenesis},
		{"empty value", func(gs *types.GenesisState) { gs.Attributes[0].Attributes = attrs("asn", "") }, types.ErrInvalidGenesis},
		{"control character in a value", func(gs *types.GenesisState) { gs.Attributes[0].Attributes = attrs("asn", "AS\n1") }, types.ErrInvalidGenesis},
		{"space-padded value", func(gs *types.GenesisState) { gs.Attributes[0].Attributes = attrs("asn", "AS1 ") }, types.ErrInvalidGenesis},
		{"value of 257 bytes", func(gs *types.GenesisState) { gs.Attributes[0].Attributes = attrs("asn", strings.Repeat("v", 257)) }, types.ErrInvalidGenesis},
		{"65 attributes", func(gs *types.GenesisState) { gs.Attributes[0].Attributes = sortedNumbered(65) }, types.ErrInvalidGenesis},
		{"negative signed_height", func(gs *types.GenesisState) { gs.Attributes[0].SignedHeight = -1 }, types.ErrInvalidGenesis},

		// what a lowered param leaves behind still imports
		{"entries above a lowered max_attributes and max_attribute_bytes", func(gs *types.GenesisState) {
			gs.Params.MaxAttributes, gs.Params.MaxAttributeBytes = 1, 4
			gs.Attributes[0].Attributes = append(sortedNumbered(64)[:63], types.Attribute{Key: "zz", Value: strings.Repeat("v", 256)})
		}, nil},
		{"more auditors than a lowered max_auditors", func(gs *types.GenesisState) { gs.Params.MaxAuditors = 1 }, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			gs := validGenesis()
			c.mutate(&gs)
			err := gs.Validate()
			if c.want == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, c.want)
		})
	}
}

// foreign spells address s with another bech32 prefix.
func foreign(t *testing.T, s string) string {
	bz, err := sdk.AccAddressFromBech32(s)
	require.NoError(t, err)
	out, err := addresscodec.NewBech32Codec("other").BytesToString(bz)
	require.NoError(t, err)
	return out
}

// sortedNumbered is n attributes with keys in sorted order.
func sortedNumbered(n int) []types.Attribute {
	out := make([]types.Attribute, n)
	for i := range out {
		out[i] = types.Attribute{Key: fmt.Sprintf("k%03d", i), Value: "v"}
	}
	return out
}
