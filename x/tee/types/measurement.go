package types

import (
	"encoding/hex"
	"fmt"
)

// MeasurementHex is measurement m as x/tee records and shows it: lower-case hex. Params and records
// hold only this form, so comparing the strings compares the measurements.
func MeasurementHex(m []byte) string { return hex.EncodeToString(m) }

// ParseMeasurement decodes a measurement written as x/tee records it: 96 lower-case hex digits (48
// bytes). Any other spelling is refused rather than normalised, so that one measurement has one
// string and an allowlist entry cannot miss a record by its case.
func ParseMeasurement(s string) ([]byte, error) {
	if len(s) != 2*MeasurementSize {
		return nil, fmt.Errorf("%d hex digits, want %d (%d bytes, lower-case hex)", len(s), 2*MeasurementSize, MeasurementSize)
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return nil, fmt.Errorf("%q at offset %d is not a lower-case hex digit", c, i)
		}
	}
	return hex.DecodeString(s)
}
