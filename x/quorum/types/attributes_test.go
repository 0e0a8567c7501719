package types_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fogchain/fog/x/quorum/types"
)

func attrs(kv ...string) []types.Attribute {
	out := make([]types.Attribute, 0, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, types.Attribute{Key: kv[i], Value: kv[i+1]})
	}
	return out
}

func numbered(n int) []types.Attribute {
	out := make([]types.Attribute, n)
	for i := range out {
		out[i] = types.Attribute{Key: fmt.Sprintf("k%d", i), Value: "v"}
	}
	return out
}

// ValidateAttributes: 1 to maxAttrs attributes, distinct keys of [a-z0-9.-], values of 1 to maxBytes
// bytes of UTF-8 without control characters or spaces at the ends; each refusal is
// ErrInvalidAttributes.
func TestValidateAttributes(t *testing.T) {
	const maxAttrs, maxBytes = 4, 12
	cases := []struct {
		name  string
		attrs []types.Attribute
		ok    bool
	}{
		{"asn and power region", attrs("asn", "AS64500", "power-region", "eu-west2"), true},
		{"keys of digits, '.' and '-'", attrs("a.b-c", "x", "0", "y", "-", "z", ".", "w"), true},
		{"key and value of exactly max bytes", attrs(strings.Repeat("k", maxBytes), strings.Repeat("v", maxBytes)), true},
		{"inner spaces and punctuation", attrs("site", "a b/c:d"), true},
		{"multi-byte UTF-8 value", attrs("city", "Zürich"), true},
		{"max attributes", numbered(maxAttrs), true},

		{"no attributes", nil, false},
		{"too many attributes", numbered(maxAttrs + 1), false},
		{"duplicate key", attrs("asn", "AS1", "asn", "AS2"), false},
		{"duplicate key, same value", attrs("asn", "AS1", "asn", "AS1"), false},
		{"empty key", attrs("", "v"), false},
		{"key over max bytes", attrs(strings.Repeat("k", maxBytes+1), "v"), false},
		{"upper-case key", attrs("ASN", "AS1"), false},
		{"key with underscore", attrs("power_region", "r1"), false},
		{"key with space", attrs("power region", "r1"), false},
		{"key with slash", attrs("a/b", "r1"), false},
		{"non-ASCII key", attrs("régión", "r1"), false},
		{"empty value", attrs("asn", ""), false},
		{"value over max bytes", attrs("asn", strings.Repeat("v", maxBytes+1)), false},
		{"value over max bytes in UTF-8 though not in runes", attrs("city", "ZüriZüriZü"), false},
		{"value with newline", attrs("asn", "AS1\nx"), false},
		{"value with tab", attrs("asn", "AS\t1"), false},
		{"value with NUL", attrs("asn", "AS\x001"), false},
		{"value with DEL", attrs("asn", "AS\x7f1"), false},
		{"value with escape", attrs("asn", "\x1b[31m"), false},
		{"value with a C1 control: next line", attrs("asn", "AS1\u0085"), false},
		{"value with a C1 control: CSI", attrs("asn", "\u009b31mAS1"), false},
		{"value with the first C1 control", attrs("asn", "AS\u00801"), false},
		{"value with the last C1 control", attrs("asn", "AS\u009f1"), false},
		{"no-break space inside a value (the first code point after C1)", attrs("asn", "AS\u00a01"), true},
		{"value with leading space", attrs("asn", " AS1"), false},
		{"value with trailing space", attrs("asn", "AS1 "), false},
		{"single space value", attrs("asn", " "), false},
		{"invalid UTF-8 value", attrs("asn", "AS\xff1"), false},
		{"one bad among good", append(attrs("asn", "AS1"), attrs("region", "")...), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := types.ValidateAttributes(c.attrs, maxAttrs, maxBytes)
			if c.ok {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, types.ErrInvalidAttributes)
		})
	}
}

// ValidateAttributeKey is the key check alone, with its own bound.
func TestValidateAttributeKey(t *testing.T) {
	for key, ok := range map[string]bool{
		"asn": true, "power-region": true, "a.b": true, "x": true, strings.Repeat("a", 12): true,
		"": false, strings.Repeat("a", 13): false, "Asn": false, "a b": false, "a=b": false, "ä": false,
	} {
		err := types.ValidateAttributeKey(key, 12)
		if ok {
			require.NoError(t, err, "%q", key)
		} else {
			require.ErrorIs(t, err, types.ErrInvalidAttributes, "%q", key)
		}
	}
}
