// Package simtee is the simulated TEE of development networks: a root ed25519 key certifies device
// keys, and a device key signs reports in the shape of a real TEE's (measurement, report data, chip
// id, TCB, debug flag). x/tee accepts its evidence only while params.allow_simulated is true and only
// from roots in params.simulated_roots. It proves nothing about hardware: whoever holds a root key
// can attest to anything.
package simtee

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	errorsmod "cosmossdk.io/errors"

	"github.com/fogchain/fog/x/tee/types"
)

// Domain-separation prefixes of the two signatures.
const (
	certDomain   = "fog-tee-sim-device-cert-v1"
	reportDomain = "fog-tee-sim-report-v1"
)

// Root is a simulated root key.
type Root struct{ key ed25519.PrivateKey }

// NewRoot derives a root from a 32-byte seed.
func NewRoot(seed []byte) (Root, error) {
	if len(seed) != ed25519.SeedSize {
		return Root{}, fmt.Errorf("simtee: a root seed is %d bytes", ed25519.SeedSize)
	}
	return Root{key: ed25519.NewKeyFromSeed(seed)}, nil
}

// Public is the root's public key, as params.simulated_roots lists it.
func (r Root) Public() []byte { return r.key.Public().(ed25519.PublicKey) }

// Device is a simulated platform: its key, certified by a root.
type Device struct {
	key     ed25519.PrivateKey
	cert    []byte
	certSig []byte
	chipID  []byte
	tcb     uint64
}

// NewDevice certifies a device key derived from seed, valid from notBefore to notAfter.
func (r Root) NewDevice(seed []byte, notBefore, notAfter time.Time, tcb uint64) (*Device, error) {
	if len(seed) != ed25519.SeedSize {
		return nil, fmt.Errorf("simtee: a device seed is %d bytes", ed25519.SeedSize)
	}
	key := ed25519.NewKeyFromSeed(seed)
	cert, err := (&types.SimulatedDeviceCert{DeviceKey: key.Public().(ed25519.PublicKey), NotBefore: notBefore.Unix(), NotAfter: notAfter.Unix()}).Marshal()
	if err != nil {
		return nil, err
	}
	chip := sha256.Sum256(key.Public().(ed25519.PublicKey))
	return &Device{key: key, cert: cert, certSig: ed25519.Sign(r.key, append([]byte(certDomain), cert...)), chipID: chip[:], tcb: tcb}, nil
}

// Evidence is a SimulatedEvidence, protobuf-encoded, attesting measurement and reportData.
func (d *Device) Evidence(measurement, reportData []byte, debug bool) ([]byte, error) {
	report, err := (&types.SimulatedReport{Measurement: measurement, ReportData: reportData, ChipId: d.chipID, Tcb: d.tcb, Debug: debug}).Marshal()
	if err != nil {
		return nil, err
	}
	return (&types.SimulatedEvidence{
		Report: report, ReportSignature: ed25519.Sign(d.key, append([]byte(reportDomain), report...)),
		DeviceCert: d.cert, DeviceCertSignature: d.certSig,
	}).Marshal()
}

// Result is what verified simulated evidence establishes.
type Result struct {
	Measurement, ChipID []byte
	TCB                 uint64
}

// Verify checks simulated evidence against roots at time now: the device certificate's signature by
// one of the roots and its validity, the report's signature by the device key, then no debug, an
// allowed measurement, a TCB of at least minTCB and the report data. Errors are x/tee's.
func Verify(evidence []byte, roots [][]byte, now time.Time, reportData []byte, allowed func([]byte) bool, minTCB uint64) (Result, error) {
	var ev types.SimulatedEvidence
	if err := ev.Unmarshal(evidence); err != nil {
		return Result{}, errorsmod.Wrapf(types.ErrMalformedEvidence, "simulated evidence: %s", err)
	}
	var cert types.SimulatedDeviceCert
	if err := cert.Unmarshal(ev.DeviceCert); err != nil || len(cert.DeviceKey) != ed25519.PublicKeySize {
		return Result{}, errorsmod.Wrap(types.ErrMalformedEvidence, "simulated device certificate")
	}
	var report types.SimulatedReport
	if err := report.Unmarshal(ev.Report); err != nil {
		return Result{}, errorsmod.Wrapf(types.ErrMalformedEvidence, "simulated report: %s", err)
	}
	certified := false
	for _, r := range roots {
		if len(r) == ed25519.PublicKeySize && ed25519.Verify(r, append([]byte(certDomain), ev.DeviceCert...), ev.DeviceCertSignature) {
			certified = true
			break
		}
	}
	if !certified {
		return Result{}, errorsmod.Wrap(types.ErrUntrustedChain, "the device certificate is not signed by a simulated root in params")
	}
	if t := now.Unix(); t < cert.NotBefore || t > cert.NotAfter {
		return Result{}, errorsmod.Wrapf(types.ErrCertExpired, "device certificate valid %d..%d, block time %d", cert.NotBefore, cert.NotAfter, t)
	}
	if !ed25519.Verify(cert.DeviceKey, append([]byte(reportDomain), ev.Report...), ev.ReportSignature) {
		return Result{}, errorsmod.Wrap(types.ErrBadSignature, "simulated report")
	}
	switch {
	case report.Debug:
		return Result{}, types.ErrDebug
	case !allowed(report.Measurement):
		return Result{}, errorsmod.Wrapf(types.ErrMeasurement, "%x", report.Measurement)
	case report.Tcb < minTCB:
		return Result{}, errorsmod.Wrapf(types.ErrTCB, "%d < %d", report.Tcb, minTCB)
	case !bytes.Equal(report.ReportData, reportData):
		return Result{}, types.ErrBinding
	}
	return Result{Measurement: report.Measurement, ChipID: report.ChipId, TCB: report.Tcb}, nil
}

// DeviceFile is a simulated device on disk (JSON, hex fields): what `fogd tee sim-device` writes and
// the worker's simulated TEE backend reads. It holds the device's private seed: keep it 0600.
type DeviceFile struct {
	Seed          string `json:"seed"`
	Cert          string `json:"cert"`
	CertSignature string `json:"cert_signature"`
	TCB           uint64 `json:"tcb"`
}

// File is the device as a DeviceFile.
func (d *Device) File() DeviceFile {
	return DeviceFile{Seed: hex.EncodeToString(d.key.Seed()), Cert: hex.EncodeToString(d.cert),
		CertSignature: hex.EncodeToString(d.certSig), TCB: d.tcb}
}

// WriteDevice writes d to path (mode 0600).
func WriteDevice(path string, d *Device) error {
	bz, err := json.MarshalIndent(d.File(), "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(bz, '\n'), 0o600)
}

// LoadDevice reads a device written by WriteDevice.
func LoadDevice(path string) (*Device, error) {
	bz, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var f DeviceFile
	if err := json.Unmarshal(bz, &f); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	seed, err1 := hex.DecodeString(f.Seed)
	cert, err2 := hex.DecodeString(f.Cert)
	sig, err3 := hex.DecodeString(f.CertSignature)
	if err := errors.Join(err1, err2, err3); err != nil || len(seed) != ed25519.SeedSize {
		return nil, fmt.Errorf("%s: not a simulated device file", path)
	}
	key := ed25519.NewKeyFromSeed(seed)
	chip := sha256.Sum256(key.Public().(ed25519.PublicKey))
	return &Device{key: key, cert: cert, certSig: sig, chipID: chip[:], tcb: f.TCB}, nil
}

// Measurement is what a simulated TEE reports as launched software: SHA-384 of the file at path
// (the worker uses its own executable, so the allowlist names approved fogd builds).
func Measurement(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	h := sha512.New384()
	if _, err := io.Copy(h, f); err != nil {
		return nil, err
	}
	return h.Sum(nil), nil
}
