package keeper_test

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	addresscodec "github.com/cosmos/cosmos-sdk/codec/address"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/fogchain/fog/testutil/fixture"
	"github.com/fogchain/fog/x/tee/types"
)

// Genesis validation refuses, naming the field, every state the module could not have produced;
// one case per rule, for every field.
func TestGenesisValidation(t *testing.T) {
	a, b := sdk.AccAddress(make([]byte, 20)).String(), sdk.AccAddress(append(make([]byte, 19), 1)).String()
	foreign, err := addresscodec.NewBech32Codec("cosmos").BytesToString(make([]byte, 20))
	require.NoError(t, err)
	valid := func() types.GenesisState {
		return types.GenesisState{
			Params: types.DefaultParams(),
			Enclaves: []types.Enclave{
				{Provider: a, TeeType: types.TeeTypeSimulated, Measurement: types.MeasurementHex(measurement), PlatformIdHash: bytesOf(1, 32), Tcb: bytesOf(0, 8),
					WorkerPubkey: bytesOf(2, 32), AttestedHeight: 10, ExpiryHeight: 10 + types.DefaultValidityBlocks, EvidenceHash: bytesOf(3, 32), NonceHeight: 9},
				// ended by governance in the block it was attested in
				{Provider: b, TeeType: types.TeeTypeTdx, Measurement: types.MeasurementHex(measurement), PlatformIdHash: bytesOf(1, 32), Tcb: bytesOf(0, 16),
					WorkerPubkey: bytesOf(2, 32), AttestedHeight: 20_000, ExpiryHeight: 20_000, EvidenceHash: bytesOf(3, 32),
					// the oldest nonce any window admits
					NonceHeight: 20_000 - types.MaxNonceWindowBlocks + 1},
			},
			Nonces:    []types.Nonce{{Height: 12, Hash: bytesOf(4, 32)}, {Height: 13, Hash: bytesOf(5, 32)}, {Height: 12 + types.DefaultNonceWindowBlocks - 1, Hash: bytesOf(6, 32)}},
			TeeLeases: []types.TeeLease{{Provider: a, LeaseId: 1}, {Provider: a, LeaseId: 7}},
		}
	}
	g := valid()
	require.NoError(t, g.Validate())
	require.NoError(t, types.DefaultGenesis().Validate())

	for _, c := range []struct {
		name   string
		mutate func(*types.GenesisState)
		field  string
		want   error
	}{
		{"params out of bounds", func(g *types.GenesisState) { g.Params.ValidityBlocks = 0 }, "validity_blocks", types.ErrInvalidParams},
		{"provider not an address", func(g *types.GenesisState) { g.Enclaves[0].Provider = "fog1nothing" }, "enclaves[0].provider", types.ErrInvalidGenesis},
		{"provider upper case", func(g *types.GenesisState) { g.Enclaves[0].Provider = strings.ToUpper(a) }, "enclaves[0].provider", types.ErrInvalidGenesis},
		{"provider of another chain", func(g *types.GenesisState) { g.Enclaves[0].Provider = foreign }, "enclaves[0].provider", types.ErrInvalidGenesis},
		{"provider twice", func(g *types.GenesisState) { g.Enclaves[1].Provider = a }, "enclaves[1].provider", types.ErrInvalidGenesis},
		{"tee_type unspecified", func(g *types.GenesisState) { g.Enclaves[0].TeeType = types.TeeTypeUnspecified }, "enclaves[0].tee_type", types.ErrInvalidGenesis},
		{"tee_type unknown", func(g *types.GenesisState) { g.Enclaves[0].TeeType = 4 }, "enclaves[0].tee_type", types.ErrInvalidGenesis},
		{"measurement short", func(g *types.GenesisState) { g.Enclaves[0].Measurement = types.MeasurementHex(bytesOf(1, 32)) }, "enclaves[0].measurement", types.ErrInvalidGenesis},
		{"measurement upper case", func(g *types.GenesisState) { g.Enclaves[0].Measurement = strings.ToUpper(g.Enclaves[0].Measurement) }, "enclaves[0].measurement", types.ErrInvalidGenesis},
		{"measurement base64", func(g *types.GenesisState) {
			g.Enclaves[0].Measurement = base64.StdEncoding.EncodeToString(measurement)
		}, "enclaves[0].measurement", types.ErrInvalidGenesis},
		{"platform_id_hash empty", func(g *types.GenesisState) { g.Enclaves[0].PlatformIdHash = nil }, "enclaves[0].platform_id_hash", types.ErrInvalidGenesis},
		{"tcb of a TDX record 8 bytes", func(g *types.GenesisState) { g.Enclaves[1].Tcb = bytesOf(0, 8) }, "enclaves[1].tcb", types.ErrInvalidGenesis},
		{"tcb of a simulated record 16 bytes", func(g *types.GenesisState) { g.Enclaves[0].Tcb = bytesOf(0, 16) }, "enclaves[0].tcb", types.ErrInvalidGenesis},
		{"worker_pubkey empty", func(g *types.GenesisState) { g.Enclaves[0].WorkerPubkey = nil }, "enclaves[0].worker_pubkey", types.ErrInvalidGenesis},
		{"evidence_hash short", func(g *types.GenesisState) { g.Enclaves[0].EvidenceHash = bytesOf(3, 31) }, "enclaves[0].evidence_hash", types.ErrInvalidGenesis},
		{"attested_height 0", func(g *types.GenesisState) { g.Enclaves[0].AttestedHeight = 0 }, "enclaves[0].attested_height", types.ErrInvalidGenesis},
		{"expiry_height before attestation", func(g *types.GenesisState) { g.Enclaves[1].ExpiryHeight-- }, "enclaves[1].expiry_height", types.ErrInvalidGenesis},
		{"expiry_height further than any validity", func(g *types.GenesisState) {
			g.Enclaves[0].ExpiryHeight = 10 + types.MaxValidityBlocks + 1
		}, "enclaves[0].expiry_height", types.ErrInvalidGenesis},
		{"nonce_height 0", func(g *types.GenesisState) { g.Enclaves[0].NonceHeight = 0 }, "enclaves[0].nonce_height", types.ErrInvalidGenesis},
		{"nonce_height after attestation", func(g *types.GenesisState) { g.Enclaves[0].NonceHeight = 11 }, "enclaves[0].nonce_height", types.ErrInvalidGenesis},
		{"nonce_height older than any window", func(g *types.GenesisState) { g.Enclaves[1].NonceHeight-- }, "enclaves[1].nonce_height", types.ErrInvalidGenesis},
		{"nonce height 0", func(g *types.GenesisState) { g.Nonces[0].Height = 0 }, "nonces[0].height", types.ErrInvalidGenesis},
		{"nonce height repeated", func(g *types.GenesisState) { g.Nonces[1].Height = 12 }, "nonces[1].height", types.ErrInvalidGenesis},
		{"nonce hash short", func(g *types.GenesisState) { g.Nonces[2].Hash = bytesOf(6, 20) }, "nonces[2].hash", types.ErrInvalidGenesis},
		{"nonces wider than the window", func(g *types.GenesisState) { g.Nonces[2].Height++ }, "nonce_window_blocks", types.ErrInvalidGenesis},
		{"tee lease provider upper case", func(g *types.GenesisState) { g.TeeLeases[0].Provider = strings.ToUpper(a) }, "tee_leases[0].provider", types.ErrInvalidGenesis},
		{"tee lease id 0", func(g *types.GenesisState) { g.TeeLeases[1].LeaseId = 0 }, "tee_leases[1].lease_id", types.ErrInvalidGenesis},
		{"tee lease twice", func(g *types.GenesisState) { g.TeeLeases[1].LeaseId = 1 }, "tee_leases[1].lease_id", types.ErrInvalidGenesis},
	} {
		t.Run(c.name, func(t *testing.T) {
			g := valid()
			c.mutate(&g)
			err := g.Validate()
			require.ErrorIs(t, err, c.want)
			require.ErrorContains(t, err, c.field)
			f := fixture.New(t)
			require.ErrorIs(t, f.Tee.InitGenesis(f.Ctx, &g), c.want, "InitGenesis validates too")
		})
	}
}

// A state exported and imported again is the same state, the TEE leases learnt from x/market's
// hooks included.
func TestGenesisRoundTripKeepsTeeLeases(t *testing.T) {
	a := sdk.AccAddress(make([]byte, 20)).String()
	f := fixture.New(t)
	g := types.GenesisState{Params: types.DefaultParams(), TeeLeases: []types.TeeLease{{Provider: a, LeaseId: 3}, {Provider: a, LeaseId: 9}}}
	require.NoError(t, f.Tee.InitGenesis(f.Ctx, &g))
	leases, err := f.Tee.ActiveTeeLeases(f.Ctx, sdk.AccAddress(make([]byte, 20)))
	require.NoError(t, err)
	require.Equal(t, []uint64{3, 9}, leases)
	out, err := f.Tee.ExportGenesis(f.Ctx)
	require.NoError(t, err)
	require.Equal(t, g.TeeLeases, out.TeeLeases)
}
