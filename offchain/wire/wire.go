// Package wire holds what crosses the network between a customer and a worker on /fog/task/1 and
// /fog/session/1: the task header, the session grant, the signed receipt and the responses, their
// canonical bytes and signatures, and the length-prefixed framing.
package wire

import (
	"bufio"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/cosmos/cosmos-sdk/crypto/keys/secp256k1"
	sdk "github.com/cosmos/cosmos-sdk/types"

	proofstypes "github.com/fogchain/fog/x/proofs/types"
)

// ProtocolID is the libp2p protocol of task delivery.
const ProtocolID = "/fog/task/1"

// SessionProtocolID is the libp2p protocol on which an order owner opens a task session: it sends a
// SessionGrant and the worker answers with a SessionResponse.
const SessionProtocolID = "/fog/session/1"

// sessionGrantDomain prefixes a grant's canonical bytes in what the owner signs, so that no signature
// made for another message by the same account key (a task header, a transaction) can pass for a
// grant, whatever protobuf bytes the two happen to share.
const sessionGrantDomain = "fog/session-grant/1\n"

// Bounds on framed messages, checked before anything is allocated.
const (
	MaxHeaderBytes   = 4 << 10
	MaxResponseBytes = 64 << 20
)

// ErrFrameTooLarge is returned when a frame declares more bytes than its bound.
var ErrFrameTooLarge = errors.New("frame larger than allowed")

type message interface {
	Marshal() ([]byte, error)
	Unmarshal([]byte) error
}

// sizedMessage is a message that marshals into a buffer it is given (the generated code's).
type sizedMessage interface {
	Size() int
	MarshalToSizedBuffer([]byte) (int, error)
}

// WriteFrame writes m as a uvarint length followed by its protobuf bytes, in one Write: on a stream,
// one frame goes out as one packet rather than two.
func WriteFrame(w io.Writer, m message) error {
	var frame []byte
	if sm, ok := m.(sizedMessage); ok {
		size := sm.Size()
		frame = binary.AppendUvarint(make([]byte, 0, binary.MaxVarintLen64+size), uint64(size))
		prefix := len(frame)
		frame = frame[:prefix+size]
		n, err := sm.MarshalToSizedBuffer(frame[prefix:])
		if err != nil {
			return err
		}
		if n != size {
			return fmt.Errorf("marshalled %d bytes of a %d-byte message", n, size)
		}
	} else {
		bz, err := m.Marshal()
		if err != nil {
			return err
		}
		frame = append(binary.AppendUvarint(make([]byte, 0, binary.MaxVarintLen64+len(bz)), uint64(len(bz))), bz...)
	}
	_, err := w.Write(frame)
	return err
}

// ReadFrame reads one frame of at most limit bytes into m.
func ReadFrame(r *bufio.Reader, limit int, m message) error {
	size, err := binary.ReadUvarint(r)
	if err != nil {
		return fmt.Errorf("reading frame length: %w", err)
	}
	if size > uint64(limit) {
		return fmt.Errorf("%w: %d > %d bytes", ErrFrameTooLarge, size, limit)
	}
	// The buffer grows with the bytes that arrive, not with the length a peer declares: a length
	// prefix alone must not make the reader allocate up to the limit.
	bz, err := io.ReadAll(io.LimitReader(r, int64(size)))
	if err != nil {
		return fmt.Errorf("reading frame: %w", err)
	}
	if uint64(len(bz)) != size {
		return fmt.Errorf("reading frame: %w after %d of %d bytes", io.ErrUnexpectedEOF, len(bz), size)
	}
	return m.Unmarshal(bz)
}

// SignBytes are the canonical bytes an owner signs: the header without its signature.
func (h TaskHeader) SignBytes() ([]byte, error) {
	h.Signature = nil
	return h.Marshal()
}

// OwnerAddress is the account address of the header's owner key.
func (h TaskHeader) OwnerAddress() (sdk.AccAddress, error) {
	return ownerAddress(h.OwnerPubkey)
}

// VerifyOwner checks the header's signature by its owner key.
func (h TaskHeader) VerifyOwner() error {
	if _, err := h.OwnerAddress(); err != nil {
		return err
	}
	bz, err := h.SignBytes()
	if err != nil {
		return err
	}
	if !(&secp256k1.PubKey{Key: h.OwnerPubkey}).VerifySignature(bz, h.Signature) {
		return errors.New("task header signature does not verify with the owner key")
	}
	return nil
}

// IsSessionTask tells whether the header is a session task: neither owner key nor signature, to be
// authorized by the sending peer's session instead.
func (h TaskHeader) IsSessionTask() bool { return len(h.OwnerPubkey) == 0 && len(h.Signature) == 0 }

// SignBytes are what an owner signs for a grant: a domain prefix and the grant's protobuf bytes
// without its signature.
func (g SessionGrant) SignBytes() ([]byte, error) {
	g.Signature = nil
	bz, err := g.Marshal()
	if err != nil {
		return nil, err
	}
	return append([]byte(sessionGrantDomain), bz...), nil
}

// OwnerAddress is the account address of the grant's owner key.
func (g SessionGrant) OwnerAddress() (sdk.AccAddress, error) {
	return ownerAddress(g.OwnerPubkey)
}

// VerifyOwner checks the grant's signature by its owner key.
func (g SessionGrant) VerifyOwner() error {
	if _, err := g.OwnerAddress(); err != nil {
		return err
	}
	bz, err := g.SignBytes()
	if err != nil {
		return err
	}
	if !(&secp256k1.PubKey{Key: g.OwnerPubkey}).VerifySignature(bz, g.Signature) {
		return errors.New("session grant signature does not verify with the owner key")
	}
	return nil
}

func ownerAddress(pub []byte) (sdk.AccAddress, error) {
	if len(pub) != secp256k1.PubKeySize {
		return nil, fmt.Errorf("owner key must be a %d-byte compressed secp256k1 key, got %d bytes", secp256k1.PubKeySize, len(pub))
	}
	return sdk.AccAddress((&secp256k1.PubKey{Key: pub}).Address()), nil
}

// Hash is sha256 of b, as the protocol uses it.
func Hash(b []byte) []byte {
	h := sha256.Sum256(b)
	return h[:]
}

// Receipt and SignedReceipt are x/proofs' receipt messages, which the task protocol carries.
type (
	Receipt       = proofstypes.Receipt
	SignedReceipt = proofstypes.SignedReceipt
)

// SignReceipt signs a receipt with the worker key.
func SignReceipt(r Receipt, key ed25519.PrivateKey) (SignedReceipt, error) {
	return proofstypes.SignReceipt(r, key)
}

// CheckInclusion checks on chain, through q, that a's receipt is in its batch and that the batch is an
// execution batch of the receipt's lease anchored by its provider (proofstypes.CheckReceiptInclusion);
// the receipt's canonical bytes are its leaf. An error from the query keeps its gRPC status.
func (a *AnchoredReceipt) CheckInclusion(ctx context.Context, q proofstypes.QueryClient) error {
	if a.Receipt == nil || a.Receipt.Receipt == nil || a.Proof == nil {
		return errors.New("anchored receipt incomplete")
	}
	r := a.Receipt.Receipt
	leaf, err := r.Marshal()
	if err != nil {
		return err
	}
	req := &proofstypes.QueryVerifyInclusionRequest{BatchId: a.BatchId, Leaf: leaf, Proof: *a.Proof}
	return proofstypes.CheckReceiptInclusion(ctx, q, req, r.LeaseId, r.Provider)
}
