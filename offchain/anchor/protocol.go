package anchor

import (
	"bufio"
	"context"
	"fmt"
	"time"

	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/fogchain/fog/offchain/wire"
)

// ProofProtocolID is the libp2p protocol on which a worker gives a receipt's inclusion proof.
const ProofProtocolID = "/fog/receipt-proof/1"

const maxRequestBytes = 64

// Serve answers /fog/receipt-proof/1 on h until Unserve.
func (a *Anchorer) Serve(h host.Host) {
	h.SetStreamHandler(ProofProtocolID, func(st network.Stream) {
		defer st.Close()
		_ = st.SetDeadline(time.Now().Add(30 * time.Second))
		var req wire.ReceiptProofRequest
		var resp wire.ReceiptProofResponse
		if err := wire.ReadFrame(bufio.NewReader(st), maxRequestBytes, &req); err != nil {
			resp.Error = "malformed request: " + err.Error()
		} else if anchored, err := a.Proof(req.LeaseId, req.TaskSeq); err != nil {
			resp.Error = fmt.Sprintf("no receipt for task %d of lease %d", req.TaskSeq, req.LeaseId)
		} else {
			resp.Anchored = &anchored
		}
		_ = wire.WriteFrame(st, &resp)
	})
}

// Unserve stops answering.
func (a *Anchorer) Unserve(h host.Host) { h.RemoveStreamHandler(ProofProtocolID) }

// FetchProof asks the worker at p for a receipt's inclusion proof; the answer's batch id is 0 while
// the receipt is not anchored.
func FetchProof(ctx context.Context, h host.Host, p peer.AddrInfo, lease, seq uint64) (*wire.AnchoredReceipt, error) {
	if err := h.Connect(ctx, p); err != nil {
		return nil, err
	}
	st, err := h.NewStream(ctx, p.ID, ProofProtocolID)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	if d, ok := ctx.Deadline(); ok {
		_ = st.SetDeadline(d)
	}
	if err := wire.WriteFrame(st, &wire.ReceiptProofRequest{LeaseId: lease, TaskSeq: seq}); err != nil {
		return nil, err
	}
	_ = st.CloseWrite()
	var resp wire.ReceiptProofResponse
	if err := wire.ReadFrame(bufio.NewReader(st), wire.MaxResponseBytes, &resp); err != nil {
		return nil, err
	}
	if resp.Error != "" {
		return nil, fmt.Errorf("worker: %s", resp.Error)
	}
	if resp.Anchored == nil || resp.Anchored.Receipt == nil {
		return nil, fmt.Errorf("worker answered without a receipt")
	}
	return resp.Anchored, nil
}
