package fogtypes

import "fmt"

// teeTypeNames are the short names of the TEE types on command lines and in worker configs.
var teeTypeNames = map[string]TeeType{"sev-snp": TeeTypeSevSnp, "tdx": TeeTypeTdx, "simulated": TeeTypeSimulated}

// ParseTeeType reads sev-snp, tdx or simulated.
func ParseTeeType(s string) (TeeType, error) {
	if t, ok := teeTypeNames[s]; ok {
		return t, nil
	}
	return TeeTypeUnspecified, fmt.Errorf("unknown TEE type %q: want sev-snp, tdx or simulated", s)
}

// Short is the type's short name (sev-snp, tdx, simulated), or "any" when unspecified.
func (t TeeType) Short() string {
	for name, v := range teeTypeNames {
		if v == t {
			return name
		}
	}
	if t == TeeTypeUnspecified {
		return "any"
	}
	return fmt.Sprintf("tee-type(%d)", int32(t))
}
