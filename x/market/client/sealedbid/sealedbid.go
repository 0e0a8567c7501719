// Package sealedbid keeps the secret half of a sealed bid (price and salt) on disk between
// MsgCommitBid and MsgRevealBid. It is written durably before the commitment is broadcast, so a
// crash between the two never forfeits a deposit.
package sealedbid

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/fogchain/fog/internal/atomicfile"

	"github.com/fogchain/fog/x/market/types"
)

// Bid is the secret part of a sealed bid.
type Bid struct {
	ChainID    string   `json:"chain_id"`
	OrderID    uint64   `json:"order_id"`
	Provider   string   `json:"provider"`
	Price      sdk.Coin `json:"price"`
	Salt       []byte   `json:"salt"`
	Commitment []byte   `json:"commitment"`
}

// New seals a price with a fresh random salt.
func New(chainID string, orderID uint64, provider sdk.AccAddress, price sdk.Coin) (Bid, error) {
	salt := make([]byte, types.SaltSize)
	if _, err := rand.Read(salt); err != nil {
		return Bid{}, fmt.Errorf("salt: %w", err)
	}
	return Bid{
		ChainID: chainID, OrderID: orderID, Provider: provider.String(), Price: price, Salt: salt,
		Commitment: types.BidCommitment(orderID, provider, price, salt),
	}, nil
}

// Path is where the bid of provider on orderID of chainID is kept under dir.
func Path(dir, chainID string, orderID uint64, provider string) string {
	return filepath.Join(dir, fmt.Sprintf("%s-%d-%s.json", chainID, orderID, provider))
}

// ErrExists is returned by Save when a sealed bid for the same order and provider is already kept:
// overwriting it would lose the secret of a commitment that may be on chain.
var ErrExists = errors.New("a sealed bid for this order is already saved")

// Save writes the bid to dir (mode 0600) and syncs it to disk. It refuses to replace a saved bid of
// the same order and provider unless replace is set.
func (b Bid) Save(dir string, replace bool) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	bz, err := json.MarshalIndent(b, "", "  ")
	if err != nil {
		return err
	}
	path := Path(dir, b.ChainID, b.OrderID, b.Provider)
	if _, err := os.Stat(path); err == nil && !replace {
		return fmt.Errorf("%w at %s: reveal it, or replace it only if its commitment never reached the chain (or was withdrawn)", ErrExists, path)
	}
	return atomicfile.Write(path, bz, 0o600)
}

// Load reads a saved bid back.
func Load(dir, chainID string, orderID uint64, provider string) (Bid, error) {
	path := Path(dir, chainID, orderID, provider)
	bz, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return Bid{}, fmt.Errorf("no sealed bid for order %d by %s at %s: was it committed from this home?", orderID, provider, path)
	} else if err != nil {
		return Bid{}, err
	}
	var b Bid
	if err := json.Unmarshal(bz, &b); err != nil {
		return Bid{}, fmt.Errorf("%s: %w", path, err)
	}
	return b, nil
}
