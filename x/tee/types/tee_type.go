package types

import "github.com/fogchain/fog/fogtypes"

// TeeType is the kind of trusted execution environment an attestation comes from. It is shared with
// x/market, whose orders may require one, so it lives in fogtypes.
type TeeType = fogtypes.TeeType

const (
	TeeTypeUnspecified = fogtypes.TeeTypeUnspecified
	TeeTypeSevSnp      = fogtypes.TeeTypeSevSnp
	TeeTypeTdx         = fogtypes.TeeTypeTdx
	TeeTypeSimulated   = fogtypes.TeeTypeSimulated
)

// ParseTeeType reads sev-snp, tdx or simulated.
func ParseTeeType(s string) (TeeType, error) { return fogtypes.ParseTeeType(s) }
