package types

import (
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/fogchain/fog/internal/accaddr"
)

var _ sdk.HasValidateBasic = (*MsgUpdateParams)(nil)

// ValidateBasic refuses in CheckTx, before the message reaches a block, what the msg server would
// refuse without reading state: an authority that is not an address, params out of their bounds.
func (m *MsgUpdateParams) ValidateBasic() error {
	if _, _, err := accaddr.Parse(accaddr.Codec(), "authority", m.Authority); err != nil {
		return err
	}
	return m.Params.Validate()
}
