package types

import (
	"crypto/sha256"
	"encoding/binary"

	sdk "github.com/cosmos/cosmos-sdk/types"
)

const (
	// CommitmentSize is the size of a bid commitment (sha256).
	CommitmentSize = sha256.Size
	// SaltSize is the size of the secret salt of a sealed bid.
	SaltSize = 32
	// WorkloadHashSize is the size of a workload hash (sha256 of the WASM module).
	WorkloadHashSize = sha256.Size
)

// BidCommitment is the sealed form of a bid:
// sha256(order_id as 8-byte big-endian ‖ provider address bytes ‖ price amount as decimal string ‖
// price denom ‖ salt). Providers compute it off chain; MsgRevealBid recomputes it.
func BidCommitment(orderID uint64, provider sdk.AccAddress, price sdk.Coin, salt []byte) []byte {
	h := sha256.New()
	var id [8]byte
	binary.BigEndian.PutUint64(id[:], orderID)
	h.Write(id[:])
	h.Write(provider)
	h.Write([]byte(price.Amount.String()))
	h.Write([]byte(price.Denom))
	h.Write(salt)
	return h.Sum(nil)
}

// BidTieBreaker orders bids of equal price and commit height: sha256(order_id ‖ provider). Nobody can
// choose it after the order exists, short of grinding addresses.
func BidTieBreaker(orderID uint64, provider sdk.AccAddress) [32]byte {
	var buf [8]byte
	binary.BigEndian.PutUint64(buf[:], orderID)
	return sha256.Sum256(append(buf[:], provider...))
}
