// Package attest proves to the chain that the worker runs in a TEE: a backend (SEV-SNP, TDX, or on
// development networks the simulated TEE or the test-vendor backends) produces evidence whose report data binds the provider,
// its worker key and a recent block hash, and the attestation service submits it to x/tee
// (MsgSubmitAttestation) after registration and again before the enclave record expires.
package attest

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	teetypes "github.com/fogchain/fog/x/tee/types"
)

// The values of [tee] type.
const (
	TypeNone      = "none"
	TypeAuto      = "auto"
	TypeSevSnp    = "sev-snp"
	TypeTdx       = "tdx"
	TypeSimulated = "simulated"
	// TypeTestSevSnp and TypeTestTdx sign real-format evidence with published test chains
	// (package testvendor): development networks only.
	TypeTestSevSnp = "test-sev-snp"
	TypeTestTdx    = "test-tdx"
)

// Types are the accepted values of [tee] type.
var Types = []string{TypeNone, TypeAuto, TypeSevSnp, TypeTdx, TypeSimulated, TypeTestSevSnp, TypeTestTdx}

// Config is the worker's [tee] section.
type Config struct {
	// Type of TEE the worker attests with: none (no attestation), auto (detect), sev-snp, tdx, or on
	// development networks simulated, test-sev-snp or test-tdx.
	Type string `toml:"type"`
	// SimulatedDevice is the device file written by `fogd tee sim-device` (type simulated).
	SimulatedDevice string `toml:"simulated_device"`
	// RenewBeforeBlocks: attest again once the enclave record expires within this many blocks.
	RenewBeforeBlocks int64 `toml:"renew_before_blocks"`
}

// DefaultConfig attests nothing.
func DefaultConfig() Config { return Config{Type: TypeNone, RenewBeforeBlocks: 200} }

// Enabled reports whether the worker attests at all.
func (c Config) Enabled() bool { return c.Type != TypeNone && c.Type != "" }

// Backend produces TEE evidence.
type Backend interface {
	// Type is the x/tee type of the evidence.
	Type() teetypes.TeeType
	// Evidence is protobuf-encoded evidence (SevSnpEvidence, TdxEvidence or SimulatedEvidence)
	// whose report data is reportData (64 bytes).
	Evidence(reportData []byte) ([]byte, error)
	// Measurement is the launch measurement the evidence will carry when the backend knows it
	// beforehand (simulated), or nil.
	Measurement() []byte
}

// NewBackend builds the backend cfg names; none gives nil. Hardware backends fail here, with an
// error that says what is missing, when the machine is not such a TEE guest.
func NewBackend(cfg Config) (Backend, error) {
	t := cfg.Type
	if t == TypeAuto {
		var err error
		if t, err = Detect(LinuxPaths); err != nil {
			return nil, err
		}
	}
	switch t {
	case TypeNone, "":
		return nil, nil
	case TypeSimulated:
		exe, err := os.Executable()
		if err != nil {
			return nil, fmt.Errorf("finding the running program to measure: %w", err)
		}
		return NewSimulated(cfg.SimulatedDevice, exe)
	case TypeTestSevSnp, TypeTestTdx:
		exe, err := os.Executable()
		if err != nil {
			return nil, fmt.Errorf("finding the running program to measure: %w", err)
		}
		if t == TypeTestSevSnp {
			return NewTestVendor(teetypes.TeeTypeSevSnp, exe)
		}
		return NewTestVendor(teetypes.TeeTypeTdx, exe)
	case TypeSevSnp:
		return NewSevSnp(LinuxPaths)
	case TypeTdx:
		return NewTdx(LinuxPaths)
	}
	return nil, fmt.Errorf("tee.type %q: want %s", cfg.Type, strings.Join(Types, ", "))
}

// Paths are where a Linux guest exposes its TEE.
type Paths struct {
	// TSMReport is the configfs-tsm report directory; an entry made in it names its provider.
	TSMReport string
	// SevGuest and TdxGuest are the guest devices of older kernels.
	SevGuest, TdxGuest string
}

// LinuxPaths are the kernel's paths.
var LinuxPaths = Paths{TSMReport: "/sys/kernel/config/tsm/report", SevGuest: "/dev/sev-guest", TdxGuest: "/dev/tdx_guest"}

// ErrNoTEE is what auto detection says on a machine without a TEE.
var ErrNoTEE = errors.New(`no TEE found; on a development network use type = "simulated"`)

// Detect finds the machine's TEE: the configfs-tsm provider (sev_guest or tdx_guest), else the
// guest devices. It returns TypeSevSnp or TypeTdx, or ErrNoTEE.
func Detect(p Paths) (string, error) {
	switch tsmProvider(p.TSMReport) {
	case "sev_guest":
		return TypeSevSnp, nil
	case "tdx_guest":
		return TypeTdx, nil
	}
	if exists(p.SevGuest) {
		return TypeSevSnp, nil
	}
	if exists(p.TdxGuest) {
		return TypeTdx, nil
	}
	return "", fmt.Errorf("%w (looked for %s, %s and %s)", ErrNoTEE, p.TSMReport, p.SevGuest, p.TdxGuest)
}

// tsmProvider is the provider of configfs-tsm reports ("sev_guest", "tdx_guest"), or "" when there is
// no such directory. An entry is made in it to read the provider, then removed.
func tsmProvider(dir string) string {
	if !exists(dir) {
		return ""
	}
	entry, err := os.MkdirTemp(dir, "fog-detect-")
	if err != nil {
		return ""
	}
	defer os.Remove(entry)
	bz, err := os.ReadFile(filepath.Join(entry, "provider"))
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(bz))
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return path != "" && err == nil
}
