package types

import "crypto/sha512"

// BindingDomain separates fog's TEE report data from any other use of a TEE's report.
const BindingDomain = "fog-tee-v1"

// ReportData is the 64 bytes an attestation's report data must hold:
// SHA-512("fog-tee-v1" ‖ provider address bytes ‖ worker public key ‖ nonce). Binding the provider and
// its worker key keeps one provider's evidence from serving another or another key; the nonce, the
// hash of a recent block, keeps old evidence from being replayed.
func ReportData(provider, workerKey, nonce []byte) []byte {
	h := sha512.New()
	h.Write([]byte(BindingDomain))
	h.Write(provider)
	h.Write(workerKey)
	h.Write(nonce)
	return h.Sum(nil)
}
