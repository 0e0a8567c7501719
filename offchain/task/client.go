package task

import (
	"context"
	"fmt"
	"time"

	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/fogchain/fog/offchain/wire"
)

// Signer signs the task header for the order owner (a keyring key).
type Signer interface {
	// Sign returns the signature of msg and the compressed secp256k1 public key that made it.
	Sign(msg []byte) (sig, pubkey []byte, err error)
}

// PublicKeySigner is a Signer that also tells its public key without signing, which spares Send a
// signature per task.
type PublicKeySigner interface {
	Signer
	PublicKey() ([]byte, error)
}

// Task is what a customer sends.
type Task struct {
	ChainID string
	LeaseID uint64
	Seq     uint64
	Module  []byte
	Input   []byte
}

// RefusedError is a task the worker refused; Refusal says when the customer can act on it (open a
// session again).
type RefusedError struct {
	Msg     string
	Refusal wire.TaskRefusal
}

func (e *RefusedError) Error() string { return "worker refused the task: " + e.Msg }

// Send delivers a task to the worker at p and waits for its answer (output and signed receipt).
// The header is signed by signer: a one-off task, no session needed. A refusal by the worker is
// returned as an error (a *RefusedError).
func Send(ctx context.Context, h host.Host, p peer.AddrInfo, t Task, signer Signer) (*wire.TaskResponse, error) {
	header := newHeader(t)
	// The key is part of what is signed: ask for it, or sign once to learn it, then sign the final
	// bytes.
	pub, err := publicKey(signer)
	if err != nil {
		return nil, err
	}
	header.OwnerPubkey = pub
	bz, err := header.SignBytes()
	if err != nil {
		return nil, err
	}
	if header.Signature, _, err = signer.Sign(bz); err != nil {
		return nil, err
	}
	return exchange(ctx, h, p, &header, t)
}

func newHeader(t Task) wire.TaskHeader {
	return wire.TaskHeader{
		ChainId: t.ChainID, LeaseId: t.LeaseID, TaskSeq: t.Seq,
		ModuleSize: uint64(len(t.Module)), ModuleHash: wire.Hash(t.Module),
		InputSize: uint64(len(t.Input)), InputHash: wire.Hash(t.Input),
	}
}

func publicKey(signer Signer) ([]byte, error) {
	if p, ok := signer.(PublicKeySigner); ok {
		return p.PublicKey()
	}
	_, pub, err := signer.Sign(nil)
	return pub, err
}

// exchange runs one task on a /fog/task/1 stream: header, the worker's answer to it, then the module
// and input and the final answer.
func exchange(ctx context.Context, h host.Host, p peer.AddrInfo, header *wire.TaskHeader, t Task) (*wire.TaskResponse, error) {
	if err := connect(ctx, h, p); err != nil {
		return nil, err
	}
	st, err := h.NewStream(ctx, p.ID, wire.ProtocolID)
	if err != nil {
		return nil, fmt.Errorf("opening %s stream to %s: %w", wire.ProtocolID, p.ID, err)
	}
	defer st.Close()
	setDeadline(ctx, st)
	r, w := getReader(st), getWriter(st)
	defer putReader(r)
	defer putWriter(w)
	if err := wire.WriteFrame(w, header); err != nil {
		return nil, err
	}
	if err := w.Flush(); err != nil {
		return nil, fmt.Errorf("sending the task header: %w", err)
	}
	var resp wire.TaskResponse
	if err := wire.ReadFrame(r, wire.MaxResponseBytes, &resp); err != nil {
		return nil, fmt.Errorf("reading the worker's answer to the header: %w", err)
	}
	if resp.Error == "" && !resp.Accepted {
		return nil, fmt.Errorf("worker neither accepted nor refused the task")
	}
	if resp.Accepted {
		if _, err := w.Write(t.Module); err != nil {
			return nil, err
		}
		if _, err := w.Write(t.Input); err != nil {
			return nil, err
		}
		if err := w.Flush(); err != nil {
			return nil, fmt.Errorf("sending the task: %w", err)
		}
		if err := st.CloseWrite(); err != nil {
			return nil, err
		}
		resp = wire.TaskResponse{}
		if err := wire.ReadFrame(r, wire.MaxResponseBytes, &resp); err != nil {
			return nil, fmt.Errorf("reading the worker's answer: %w", err)
		}
	}
	if resp.Error != "" {
		return nil, &RefusedError{Msg: resp.Error, Refusal: resp.Refusal}
	}
	if resp.Receipt == nil || resp.Receipt.Receipt == nil {
		return nil, fmt.Errorf("worker answered without a receipt")
	}
	return &resp, nil
}

// connect makes sure h is connected to the worker; a live connection is reused as it is.
func connect(ctx context.Context, h host.Host, p peer.AddrInfo) error {
	if err := h.Connect(ctx, p); err != nil {
		return fmt.Errorf("connecting to worker %s: %w", p.ID, err)
	}
	return nil
}

// setDeadline bounds a stream by the context's deadline, or 5 minutes.
func setDeadline(ctx context.Context, st network.Stream) {
	if d, ok := ctx.Deadline(); ok {
		_ = st.SetDeadline(d)
	} else {
		_ = st.SetDeadline(time.Now().Add(5 * time.Minute))
	}
}
