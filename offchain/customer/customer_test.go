package customer_test

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fogchain/fog/offchain/customer"
	markettypes "github.com/fogchain/fog/x/market/types"
	teetypes "github.com/fogchain/fog/x/tee/types"
)

// The client delivers a TEE order's workload only to a provider whose enclave record exists, is
// valid, has the order's TEE type, and binds its registered worker key.
func TestCheckEnclave(t *testing.T) {
	key := bytes.Repeat([]byte{1}, 32)
	record := teetypes.Enclave{TeeType: teetypes.TeeTypeSimulated, WorkerPubkey: key, ExpiryHeight: 500, EvidenceHash: bytes.Repeat([]byte{9}, 32)}
	valid := teetypes.QueryEnclaveResponse{Enclave: record, Valid: true}
	anyTee := markettypes.Order{TeeRequired: true}
	simOrder := markettypes.Order{TeeRequired: true, TeeType: teetypes.TeeTypeSimulated}
	snpOrder := markettypes.Order{TeeRequired: true, TeeType: teetypes.TeeTypeSevSnp}

	require.NoError(t, customer.CheckEnclave(valid, true, anyTee, key))
	require.NoError(t, customer.CheckEnclave(valid, true, simOrder, key))
	for _, c := range []struct {
		res   teetypes.QueryEnclaveResponse
		found bool
		order markettypes.Order
		key   []byte
		want  string
	}{
		{teetypes.QueryEnclaveResponse{}, false, anyTee, key, "never attested"},
		{teetypes.QueryEnclaveResponse{Enclave: record}, true, anyTee, key, "expired at height 500"},
		{valid, true, snpOrder, key, "attested as simulated, the order requires sev-snp"},
		{valid, true, anyTee, bytes.Repeat([]byte{2}, 32), "registered worker key"},
	} {
		require.ErrorContains(t, customer.CheckEnclave(c.res, c.found, c.order, c.key), c.want)
	}

	require.NoError(t, customer.CheckAttestationHash(record.EvidenceHash, record))
	require.ErrorContains(t, customer.CheckAttestationHash(nil, record), "no attestation hash")
	require.ErrorContains(t, customer.CheckAttestationHash(bytes.Repeat([]byte{8}, 32), record), "not the provider's current attestation")
}
