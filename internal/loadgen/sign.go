package loadgen

import (
	"context"
	"crypto/sha256"

	"github.com/cosmos/cosmos-sdk/client"
	clienttx "github.com/cosmos/cosmos-sdk/client/tx"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/tx/signing"
	authsigning "github.com/cosmos/cosmos-sdk/x/auth/signing"
)

// Signer signs transactions offline with the account numbers and sequences kept in each Account.
type Signer struct {
	TxConfig client.TxConfig
	ChainID  string
	// Gas is the gas limit of every transaction; fees are zero (the bench chain's minimum gas price
	// is zero), so the limit only has to cover the message.
	Gas uint64
}

// Tx is a signed transaction ready to broadcast.
type Tx struct {
	Bytes []byte
	Hash  [32]byte
}

// Sign signs msgs by a with its current sequence and advances the sequence.
func (s Signer) Sign(a *Account, msgs ...sdk.Msg) (Tx, error) {
	b := s.TxConfig.NewTxBuilder()
	if err := b.SetMsgs(msgs...); err != nil {
		return Tx{}, err
	}
	b.SetGasLimit(s.Gas)
	mode := signing.SignMode_SIGN_MODE_DIRECT
	pub := a.Key.PubKey()
	// SIGN_MODE_DIRECT signs the auth info, which holds the signer infos: set them first.
	if err := b.SetSignatures(signing.SignatureV2{
		PubKey:   pub,
		Data:     &signing.SingleSignatureData{SignMode: mode},
		Sequence: a.Sequence,
	}); err != nil {
		return Tx{}, err
	}
	sig, err := clienttx.SignWithPrivKey(context.Background(), mode, authsigning.SignerData{
		Address:       a.Addr.String(),
		ChainID:       s.ChainID,
		AccountNumber: a.Number,
		Sequence:      a.Sequence,
		PubKey:        pub,
	}, b, a.Key, s.TxConfig, a.Sequence)
	if err != nil {
		return Tx{}, err
	}
	if err := b.SetSignatures(sig); err != nil {
		return Tx{}, err
	}
	bz, err := s.TxConfig.TxEncoder()(b.GetTx())
	if err != nil {
		return Tx{}, err
	}
	a.Sequence++
	return Tx{Bytes: bz, Hash: sha256.Sum256(bz)}, nil
}
