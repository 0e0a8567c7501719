package cli_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fogchain/fog/x/quorum/client/cli"
	"github.com/fogchain/fog/x/quorum/types"
)

// ParseAttributes splits each argument at its first '='; it checks nothing else (the chain does).
func TestParseAttributes(t *testing.T) {
	cases := []struct {
		name    string
		args    []string
		want    []types.Attribute
		wantErr string
	}{
		{"none", nil, []types.Attribute{}, ""},
		{"one", []string{"asn=AS64500"}, []types.Attribute{{Key: "asn", Value: "AS64500"}}, ""},
		{"several, in order", []string{"power-region=eu-west-grid-2", "asn=AS1"},
			[]types.Attribute{{Key: "power-region", Value: "eu-west-grid-2"}, {Key: "asn", Value: "AS1"}}, ""},
		{"a=b=c keeps b=c as the value", []string{"a=b=c"}, []types.Attribute{{Key: "a", Value: "b=c"}}, ""},
		{"empty value", []string{"asn="}, []types.Attribute{{Key: "asn", Value: ""}}, ""},
		{"empty key", []string{"=AS1"}, []types.Attribute{{Key: "", Value: "AS1"}}, ""},
		{"spaces are kept", []string{" asn = AS1 "}, []types.Attribute{{Key: " asn ", Value: " AS1 "}}, ""},
		{"missing '='", []string{"asn"}, nil, `attribute "asn": want key=value`},
		{"missing '=' after good ones", []string{"asn=AS1", "power-region"}, nil, `attribute "power-region"`},
		{"empty argument", []string{""}, nil, `attribute ""`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := cli.ParseAttributes(c.args)
			if c.wantErr != "" {
				require.ErrorContains(t, err, c.wantErr)
				require.Nil(t, got)
				return
			}
			require.NoError(t, err)
			require.Equal(t, c.want, got)
		})
	}
}
