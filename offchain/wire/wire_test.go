package wire_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"io"
	goruntime "runtime"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"

	"github.com/cosmos/cosmos-sdk/crypto/keys/secp256k1"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/fogchain/fog/offchain/wire"
	proofstypes "github.com/fogchain/fog/x/proofs/types"
)

// anchoredBatch answers VerifyInclusion for one execution batch, as the chain does.
type anchoredBatch struct {
	proofstypes.QueryClient
	batch proofstypes.Batch
}

func (q anchoredBatch) VerifyInclusion(_ context.Context, req *proofstypes.QueryVerifyInclusionRequest, _ ...grpc.CallOption) (*proofstypes.QueryVerifyInclusionResponse, error) {
	if err := proofstypes.VerifyInclusion(q.batch.MerkleRoot, req.Leaf, req.Proof); err != nil {
		return &proofstypes.QueryVerifyInclusionResponse{Reason: err.Error(), Batch: q.batch}, nil
	}
	return &proofstypes.QueryVerifyInclusionResponse{Valid: true, Batch: q.batch}, nil
}

// A receipt's leaf is its canonical bytes, those the worker anchors: its inclusion checks, and a
// receipt changed after anchoring does not.
func TestAnchoredReceiptCheckInclusion(t *testing.T) {
	provider := sdk.AccAddress(make([]byte, 20)).String()
	signed := make([]wire.SignedReceipt, 3)
	leaves := make([][]byte, len(signed))
	for i := range signed {
		r := &wire.Receipt{ChainId: "fog-test", LeaseId: 7, TaskSeq: uint64(i + 1), Provider: provider}
		signed[i] = wire.SignedReceipt{Receipt: r}
		var err error
		leaves[i], err = r.Marshal()
		require.NoError(t, err)
	}
	root, proofs := proofstypes.MerkleProofs(leaves)
	q := anchoredBatch{batch: proofstypes.Batch{Id: 4, LeaseId: 7, Kind: proofstypes.BatchKindExecution, Submitter: provider, MerkleRoot: root, LeafCount: 3}}

	a := &wire.AnchoredReceipt{Receipt: &signed[1], BatchId: 4, Proof: &proofs[1]}
	require.NoError(t, a.CheckInclusion(context.Background(), q))

	changed := *signed[1].Receipt
	changed.ExitCode = 1
	a.Receipt = &wire.SignedReceipt{Receipt: &changed}
	require.ErrorContains(t, a.CheckInclusion(context.Background(), q), "receipt is NOT in anchored batch 4")

	require.ErrorContains(t, (&wire.AnchoredReceipt{Receipt: &signed[1], BatchId: 4}).CheckInclusion(context.Background(), q), "incomplete")
}

// A peer that sends only a length prefix (here the 64 MiB response limit) and then stalls or hangs
// up makes the reader allocate about what it sent, not what it declared.
func TestReadFrameAllocatesWhatArrivesNotWhatIsDeclared(t *testing.T) {
	const declared = 64 << 20
	frame := binary.AppendUvarint(nil, declared)
	frame = append(frame, make([]byte, 1000)...)

	var before, after goruntime.MemStats
	goruntime.GC()
	goruntime.ReadMemStats(&before)
	err := wire.ReadFrame(bufio.NewReader(bytes.NewReader(frame)), declared, &wire.TaskResponse{})
	goruntime.ReadMemStats(&after)

	require.ErrorIs(t, err, io.ErrUnexpectedEOF)
	require.Contains(t, err.Error(), "after 1000 of 67108864 bytes")
	require.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(1<<20), "bytes allocated for a 1000-byte frame body")
}

// A grant signed by its owner verifies, and any change to what it binds (or a task header's
// signature passed off as a grant's) does not.
func TestSessionGrantSignature(t *testing.T) {
	priv := secp256k1.GenPrivKey()
	g := wire.SessionGrant{ChainId: "fog-1", LeaseId: 7, PeerId: []byte("peer"), NotAfterUnix: 1_900_000_000, OwnerPubkey: priv.PubKey().Bytes()}
	bz, err := g.SignBytes()
	if err != nil {
		t.Fatal(err)
	}
	if g.Signature, err = priv.Sign(bz); err != nil {
		t.Fatal(err)
	}
	if err := g.VerifyOwner(); err != nil {
		t.Fatalf("a signed grant does not verify: %v", err)
	}
	for name, change := range map[string]func(*wire.SessionGrant){
		"chain":     func(g *wire.SessionGrant) { g.ChainId = "fog-2" },
		"lease":     func(g *wire.SessionGrant) { g.LeaseId++ },
		"peer":      func(g *wire.SessionGrant) { g.PeerId = []byte("other") },
		"not after": func(g *wire.SessionGrant) { g.NotAfterUnix++ },
		"owner key": func(g *wire.SessionGrant) { g.OwnerPubkey = secp256k1.GenPrivKey().PubKey().Bytes() },
		"no domain prefix": func(g *wire.SessionGrant) {
			plain := *g
			plain.Signature = nil
			bz, _ := plain.Marshal()
			g.Signature, _ = priv.Sign(bz)
		},
	} {
		changed := g
		change(&changed)
		if changed.VerifyOwner() == nil {
			t.Errorf("%s changed: the grant still verifies", name)
		}
	}
}

// countingWriter counts the Write calls it gets.
type countingWriter struct {
	bytes.Buffer
	writes int
}

func (w *countingWriter) Write(p []byte) (int, error) {
	w.writes++
	return w.Buffer.Write(p)
}

// A frame is written in one Write (one stream packet), as its length then its protobuf bytes.
func TestWriteFrameIsOneWrite(t *testing.T) {
	for _, m := range []interface {
		Marshal() ([]byte, error)
	}{
		&wire.TaskResponse{},
		&wire.TaskResponse{Output: bytes.Repeat([]byte{7}, 300), Receipt: &wire.SignedReceipt{Receipt: &wire.Receipt{ChainId: "fog-1", TaskSeq: 9}, Signature: []byte{1, 2}}},
		&wire.SessionGrant{ChainId: "fog-1", LeaseId: 3, PeerId: []byte("peer"), NotAfterUnix: 1_900_000_000},
	} {
		var w countingWriter
		require.NoError(t, wire.WriteFrame(&w, m.(interface {
			Marshal() ([]byte, error)
			Unmarshal([]byte) error
		})))
		require.Equal(t, 1, w.writes)
		bz, err := m.Marshal()
		require.NoError(t, err)
		require.Equal(t, append(binary.AppendUvarint(nil, uint64(len(bz))), bz...), w.Bytes())
	}
}
