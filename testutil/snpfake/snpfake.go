// Package snpfake makes SEV-SNP test material: a test-only AMD chain (ARK → ASK → VCEK, from
// go-sev-guest's testing package) and attestation reports signed by its VCEK with chosen fields.
// Tests only: nothing signed here is evidence of real hardware.
package snpfake

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	crand "crypto/rand"
	"crypto/rsa"
	"crypto/sha512"
	"time"

	"github.com/google/go-sev-guest/abi"
	"github.com/google/go-sev-guest/kds"
	spb "github.com/google/go-sev-guest/proto/sevsnp"
	sevtest "github.com/google/go-sev-guest/testing"
)

// ProductLine of the fake chain (its reports say Milan-B1).
const ProductLine = "Milan"

// Chain is a fake AMD chain whose VCEK carries tcb.
type Chain struct {
	Signer *sevtest.AmdSigner
	TCB    kds.TCBParts
}

// New makes a chain created at created: with go-sev-guest's fixed test keys, or fresh ones when
// fresh is true (a chain unrelated to every other).
func New(created time.Time, tcb kds.TCBParts, fresh bool) (*Chain, error) {
	var keys *sevtest.AmdKeys
	if fresh {
		var err error
		if keys, err = freshKeys(); err != nil {
			return nil, err
		}
	}
	b := &sevtest.AmdSignerBuilder{ProductName: "Milan-B1", Keys: keys,
		ArkCreationTime: created, AskCreationTime: created, AsvkCreationTime: created, VcekCreationTime: created, VlekCreationTime: created,
		VcekCustom: sevtest.CertOverride{Extensions: sevtest.CustomExtensions(tcb, make([]byte, 64), "", "Milan-B1")}}
	signer, err := b.TestOnlyCertChain()
	if err != nil {
		return nil, err
	}
	return &Chain{Signer: signer, TCB: tcb}, nil
}

func freshKeys() (*sevtest.AmdKeys, error) {
	var rs [3]*rsa.PrivateKey
	for i := range rs {
		k, err := rsa.GenerateKey(crand.Reader, 2048)
		if err != nil {
			return nil, err
		}
		rs[i] = k
	}
	vcek, err := ecdsa.GenerateKey(elliptic.P384(), crand.Reader)
	if err != nil {
		return nil, err
	}
	vlek, err := ecdsa.GenerateKey(elliptic.P384(), crand.Reader)
	if err != nil {
		return nil, err
	}
	return &sevtest.AmdKeys{Ark: rs[0], Ask: rs[1], Asvk: rs[2], Vcek: vcek, Vlek: vlek}, nil
}

// VCEK is the VCEK certificate, DER.
func (c *Chain) VCEK() []byte { return c.Signer.Vcek.Raw }

// ARK and ASK, DER, as x/tee's params list a root.
func (c *Chain) ARK() []byte { return c.Signer.Ark.Raw }
func (c *Chain) ASK() []byte { return c.Signer.Ask.Raw }

// Report are the fields of a report to sign.
type Report struct {
	Measurement []byte // 48 bytes
	ReportData  []byte // 64 bytes
	Debug       bool
	TCB         kds.TCBParts
}

// Sign returns a v3 attestation report (0x4A0 bytes) with r's fields, signed by the chain's VCEK.
func (c *Chain) Sign(r Report) ([]byte, error) {
	v, err := kds.ComposeTCBParts(r.TCB)
	if err != nil {
		return nil, err
	}
	rep := &spb.Report{Version: 3, SignatureAlgo: abi.SignEcdsaP384Sha384,
		Policy:     abi.SnpPolicyToBytes(abi.SnpPolicy{ABIMajor: 1, SMT: true, Debug: r.Debug}),
		SignerInfo: abi.ComposeSignerInfo(abi.SignerInfo{SigningKey: abi.VcekReportSigner}),
		ReportData: r.ReportData, Measurement: r.Measurement,
		FamilyId: make([]byte, 16), ImageId: make([]byte, 16), HostData: make([]byte, 32), IdKeyDigest: make([]byte, 48),
		AuthorKeyDigest: make([]byte, 48), ReportId: make([]byte, 32), ReportIdMa: make([]byte, 32), ChipId: make([]byte, 64),
		CurrentTcb: uint64(v), ReportedTcb: uint64(v), CommittedTcb: uint64(v), LaunchTcb: uint64(v),
		Cpuid1EaxFms: abi.FmsToCpuid1Eax(0x19, 1, 1), Signature: make([]byte, 512)}
	raw, err := abi.ReportToAbiBytes(rep)
	if err != nil {
		return nil, err
	}
	d := sha512.Sum384(abi.SignedComponent(raw))
	rr, ss, err := ecdsa.Sign(crand.Reader, c.Signer.Keys.Vcek, d[:])
	if err != nil {
		return nil, err
	}
	if err := abi.SetSignature(rr, ss, raw); err != nil {
		return nil, err
	}
	return raw, nil
}
