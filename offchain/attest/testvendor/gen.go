//go:build ignore

// gen writes sevsnp.pem and tdx.pem, the fixed test chains of package testvendor. Run it again
// (`go generate ./offchain/attest/testvendor`) only to replace them: every genesis that trusts the
// old roots then refuses the new evidence.
//
// SEV-SNP: go-sev-guest's fake AMD chain (ARK → ASK → VCEK) with go-sev-guest's own published test
// keys (testing/data), the ARK and ASK valid from 2025-01-01 for 25 years, the VCEK until the same
// day (its NotBefore is zero), carrying testvendor.TCB. TDX: testutil/tdxfake's fake Intel PKI with
// keys made here once and kept in tdx.pem, valid 2025-01-01 to 2050-01-01.
package main

import (
	"crypto/ecdsa"
	"crypto/x509"
	"encoding/pem"
	"log"
	"os"
	"time"

	"github.com/google/go-sev-guest/kds"
	sevtest "github.com/google/go-sev-guest/testing"

	"github.com/fogchain/fog/testutil/tdxfake"
)

// tcb must equal testvendor.TCB.
var tcb = kds.TCBParts{BlSpl: 3, SnpSpl: 8, UcodeSpl: 115}

func block(role, typ string, der []byte) *pem.Block {
	return &pem.Block{Type: typ, Headers: map[string]string{"Role": role}, Bytes: der}
}

func ecKey(role string, k *ecdsa.PrivateKey) *pem.Block {
	der, err := x509.MarshalECPrivateKey(k)
	if err != nil {
		log.Fatal(err)
	}
	return block(role, "EC PRIVATE KEY", der)
}

func write(path, header string, blocks ...*pem.Block) {
	out := []byte(header)
	for _, b := range blocks {
		out = append(out, pem.EncodeToMemory(b)...)
	}
	if err := os.WriteFile(path, out, 0o644); err != nil {
		log.Fatal(err)
	}
}

func main() {
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	b := &sevtest.AmdSignerBuilder{ProductName: "Milan-B1",
		ArkCreationTime: start, AskCreationTime: start, AsvkCreationTime: start, VlekCreationTime: start,
		// the VCEK's NotAfter is its creation time plus 7 years, its NotBefore zero: end it with the ARK
		VcekCreationTime: start.AddDate(25-7, 0, 0),
		VcekCustom:       sevtest.CertOverride{Extensions: sevtest.CustomExtensions(tcb, make([]byte, 64), "", "Milan-B1")}}
	amd, err := b.TestOnlyCertChain()
	if err != nil {
		log.Fatal(err)
	}
	const warning = "DEVELOPMENT ONLY: a fixed test chain whose private keys are published here. No production\n" +
		"network may trust its root: x/tee would accept anything signed with these keys.\n\n"
	write("sevsnp.pem", "SEV-SNP test chain (go-sev-guest's fake AMD Milan chain and test VCEK key).\n"+warning,
		block("ark", "CERTIFICATE", amd.Ark.Raw), block("ask", "CERTIFICATE", amd.Ask.Raw),
		block("vcek", "CERTIFICATE", amd.Vcek.Raw), ecKey("vcek", amd.Keys.Vcek))

	intel, err := tdxfake.NewSigner(start, time.Date(2050, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		log.Fatal(err)
	}
	pck, att := intel.Keys()
	write("tdx.pem", "TDX test chain (testutil/tdxfake's fake Intel PKI and quoting enclave keys).\n"+warning,
		block("root", "CERTIFICATE", intel.Root.Raw), block("intermediate", "CERTIFICATE", intel.Intermediate.Raw),
		block("pck", "CERTIFICATE", intel.PCK.Raw), ecKey("pck", pck), ecKey("attestation", att))
}
