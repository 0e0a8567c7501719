package testvendor_test

import (
	"crypto/x509"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/fogchain/fog/offchain/attest/testvendor"
	teetypes "github.com/fogchain/fog/x/tee/types"
)

// The embedded chains load, their roots are what x/tee's params take, and they are valid from 2025
// to the end of 2049. (x/tee/keeper's TestTestVendorEvidenceNeedsTheTestRoots verifies the evidence.)
func TestChains(t *testing.T) {
	require.NoError(t, testvendor.Check())
	snp := testvendor.SevSnpRoot()
	require.Equal(t, testvendor.SevSnpProductLine, snp.ProductLine)
	p := teetypes.DefaultParams()
	require.True(t, testvendor.AddRoots(&p))
	require.NoError(t, p.Validate())
	for _, der := range [][]byte{snp.Ark, snp.Ask, testvendor.TdxRoot()} {
		c, err := x509.ParseCertificate(der)
		require.NoError(t, err)
		require.False(t, c.NotBefore.After(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)))
		require.True(t, c.NotAfter.After(time.Date(2049, 12, 1, 0, 0, 0, 0, time.UTC)))
	}

	m, rd := make([]byte, 48), make([]byte, 64)
	for _, sign := range []func(m, rd []byte) ([]byte, error){testvendor.SevSnpEvidence, testvendor.TdxEvidence} {
		ev, err := sign(m, rd)
		require.NoError(t, err)
		require.NotEmpty(t, ev)
		_, err = sign(m[:47], rd)
		require.Error(t, err)
		_, err = sign(m, rd[:63])
		require.Error(t, err)
	}
}
