package loadgen

import (
	"crypto/ed25519"
	"crypto/sha256"
	"fmt"

	p2pcrypto "github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/cosmos/cosmos-sdk/crypto/keys/secp256k1"
	sdk "github.com/cosmos/cosmos-sdk/types"
)

// Account is a load account: a secp256k1 key derived from the seed, and the account number and next
// sequence the run keeps for it (read from the chain once, then advanced locally per signature).
type Account struct {
	Key      *secp256k1.PrivKey
	Addr     sdk.AccAddress
	Number   uint64
	Sequence uint64
	// index of the account among the load accounts; -1 for the customer
	index int
}

// Keys are the accounts of one seed: the customer that posts the orders, and the load accounts that
// send, register as providers and bid.
type Keys struct {
	Customer *Account
	Load     []*Account
	seed     string
}

// Derive derives the customer and n load accounts of seed. The same seed always gives the same
// accounts, so that `fogd bench genesis` and `fogd bench load` agree without sharing a keyring.
func Derive(seed string, n int) Keys {
	k := Keys{Customer: newAccount(seed+"/customer", -1), seed: seed}
	for i := 0; i < n; i++ {
		k.Load = append(k.Load, newAccount(fmt.Sprintf("%s/account/%d", seed, i), i))
	}
	return k
}

func newAccount(secret string, index int) *Account {
	key := secp256k1.GenPrivKeyFromSecret([]byte(secret))
	return &Account{Key: key, Addr: sdk.AccAddress(key.PubKey().Address()), index: index}
}

// All is the customer followed by the load accounts.
func (k Keys) All() []*Account {
	return append([]*Account{k.Customer}, k.Load...)
}

// workerKey is the ed25519 worker key a load account registers as a provider, and the libp2p peer id
// derived from it (a provider registration needs a valid peer id; nothing dials it).
func (k Keys) workerKey(i int) (ed25519.PublicKey, peer.ID, error) {
	seed := sha256.Sum256([]byte(fmt.Sprintf("%s/worker/%d", k.seed, i)))
	pub := ed25519.NewKeyFromSeed(seed[:]).Public().(ed25519.PublicKey)
	pk, err := p2pcrypto.UnmarshalEd25519PublicKey(pub)
	if err != nil {
		return nil, "", err
	}
	id, err := peer.IDFromPublicKey(pk)
	return pub, id, err
}

// salt is the secret salt of load account i's bid on an order: derived, so that a reveal needs
// nothing kept from the commit (fine for a benchmark; a real bidder draws it from crypto/rand).
func (k Keys) salt(i int, orderID uint64) []byte {
	s := sha256.Sum256([]byte(fmt.Sprintf("%s/salt/%d/%d", k.seed, i, orderID)))
	return s[:]
}
