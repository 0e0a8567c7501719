package keeper_test

import (
	"crypto/sha256"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/cosmos/cosmos-sdk/baseapp"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"

	"github.com/fogchain/fog/testutil/fixture"
	markettypes "github.com/fogchain/fog/x/market/types"
	"github.com/fogchain/fog/x/proofs/keeper"
	"github.com/fogchain/fog/x/proofs/types"
)

// activeLease runs a one-bid auction and starts the lease.
func activeLease(t testing.TB, f *fixture.Fixture) markettypes.Lease {
	owner := f.NewAccount(t, 1_000_000)
	o := f.CreateOrder(t, fixture.OrderMsg(owner))
	p := f.NewProvider(t)
	s := f.Commit(t, o.Id, p, 4)
	f.AdvanceTo(t, o.CommitDeadline+1)
	f.Reveal(t, o.Id, s)
	f.AdvanceTo(t, o.RevealDeadline+1)
	l := f.LeasesOf(t, o.Id)[0]
	_, err := f.Msg.StartLease(f.Ctx, &markettypes.MsgStartLease{Provider: p.String(), LeaseId: l.Id})
	require.NoError(t, err)
	return f.Lease(t, l.Id)
}

func receipts(n int) [][]byte {
	out := make([][]byte, n)
	for i := range out {
		out[i] = []byte(fmt.Sprintf("receipt %d", i))
	}
	return out
}

// A receipt in an anchored batch verifies; a changed byte in the leaf, the proof or the root does not.
func TestAnchoredReceiptInclusion(t *testing.T) {
	f := fixture.New(t)
	l := activeLease(t, f)
	msg := keeper.NewMsgServerImpl(f.Proofs)
	q := keeper.NewQueryServerImpl(f.Proofs)
	leaves := receipts(7)
	root, proofs := types.MerkleProofs(leaves)
	res, err := msg.AnchorBatch(f.Ctx, &types.MsgAnchorBatch{Submitter: l.Provider, LeaseId: l.Id, Kind: types.BatchKindExecution, MerkleRoot: root, LeafCount: 7})
	require.NoError(t, err)

	for i, leaf := range leaves {
		v, err := q.VerifyInclusion(f.Ctx, &types.QueryVerifyInclusionRequest{BatchId: res.BatchId, Leaf: leaf, Proof: proofs[i]})
		require.NoError(t, err)
		require.True(t, v.Valid, "leaf %d: %s", i, v.Reason)
		require.Equal(t, res.BatchId, v.Batch.Id, "the response says which batch it checked")
		require.NoError(t, types.CheckExecutionBatch(v.Batch, l.Id, l.Provider))
	}
	// the owner anchors the same receipts as an audit batch: inclusion verifies, but it is not where an
	// execution receipt belongs, and a verifier that checks the batch says so
	audit, err := msg.AnchorBatch(f.Ctx, &types.MsgAnchorBatch{Submitter: l.Owner, LeaseId: l.Id, Kind: types.BatchKindAudit, MerkleRoot: root, LeafCount: 7})
	require.NoError(t, err)
	va, err := q.VerifyInclusion(f.Ctx, &types.QueryVerifyInclusionRequest{BatchId: audit.BatchId, Leaf: leaves[0], Proof: proofs[0]})
	require.NoError(t, err)
	require.True(t, va.Valid)
	require.ErrorContains(t, types.CheckExecutionBatch(va.Batch, l.Id, l.Provider), "not an execution batch")
	require.ErrorContains(t, types.CheckExecutionBatch(v0(t, q, f, res.BatchId, leaves[0], proofs[0]), l.Id+1, l.Provider), "not the receipt's lease")
	require.ErrorContains(t, types.CheckExecutionBatch(v0(t, q, f, res.BatchId, leaves[0], proofs[0]), l.Id, l.Owner), "not the receipt's provider")
	flip := func(b []byte) []byte { c := append([]byte{}, b...); c[0] ^= 1; return c }
	for name, req := range map[string]*types.QueryVerifyInclusionRequest{
		"changed leaf":       {BatchId: res.BatchId, Leaf: flip(leaves[3]), Proof: proofs[3]},
		"changed proof":      {BatchId: res.BatchId, Leaf: leaves[3], Proof: types.MerkleProof{Total: 7, Index: 3, Aunts: [][]byte{flip(proofs[3].Aunts[0]), proofs[3].Aunts[1], proofs[3].Aunts[2]}}},
		"other index":        {BatchId: res.BatchId, Leaf: leaves[3], Proof: types.MerkleProof{Total: 7, Index: 4, Aunts: proofs[3].Aunts}},
		"other tree size":    {BatchId: res.BatchId, Leaf: leaves[3], Proof: types.MerkleProof{Total: 8, Index: 3, Aunts: proofs[3].Aunts}},
		"short hash":         {BatchId: res.BatchId, Leaf: leaves[3], Proof: types.MerkleProof{Total: 7, Index: 3, Aunts: [][]byte{{1, 2}}}},
		"index out of range": {BatchId: res.BatchId, Leaf: leaves[3], Proof: types.MerkleProof{Total: 7, Index: 9, Aunts: proofs[3].Aunts}},
	} {
		v, err := q.VerifyInclusion(f.Ctx, req)
		require.NoError(t, err, name)
		require.False(t, v.Valid, name)
		require.NotEmpty(t, v.Reason, name)
	}
	// a batch anchored with another root (one changed byte) does not hold the leaves
	other, err := msg.AnchorBatch(f.Ctx, &types.MsgAnchorBatch{Submitter: l.Provider, LeaseId: l.Id, Kind: types.BatchKindExecution, MerkleRoot: flip(root), LeafCount: 7})
	require.NoError(t, err)
	v, err := q.VerifyInclusion(f.Ctx, &types.QueryVerifyInclusionRequest{BatchId: other.BatchId, Leaf: leaves[0], Proof: proofs[0]})
	require.NoError(t, err)
	require.False(t, v.Valid)

	batches, err := q.Batches(f.Ctx, &types.QueryBatchesRequest{LeaseId: l.Id})
	require.NoError(t, err)
	require.Len(t, batches.Batches, 3)
	bySubmitter, err := q.Batches(f.Ctx, &types.QueryBatchesRequest{Submitter: l.Provider})
	require.NoError(t, err)
	require.Len(t, bySubmitter.Batches, 2)
}

// CheckReceiptInclusion, the check clients make (fogd client run, fogd client verify-receipt), accepts
// a receipt in an execution batch of its lease anchored by its provider, refuses one that is not in
// its batch or is in a batch where inclusion proves nothing, and keeps the status of a failed query.
func TestCheckReceiptInclusion(t *testing.T) {
	f := fixture.New(t)
	l := activeLease(t, f)
	msg := keeper.NewMsgServerImpl(f.Proofs)
	helper := baseapp.NewQueryServerTestHelper(f.Ctx, codectypes.NewInterfaceRegistry())
	types.RegisterQueryServer(helper, keeper.NewQueryServerImpl(f.Proofs))
	q := types.NewQueryClient(helper)
	leaves := receipts(5)
	root, proofs := types.MerkleProofs(leaves)
	exec, err := msg.AnchorBatch(f.Ctx, &types.MsgAnchorBatch{Submitter: l.Provider, LeaseId: l.Id, Kind: types.BatchKindExecution, MerkleRoot: root, LeafCount: 5})
	require.NoError(t, err)
	audit, err := msg.AnchorBatch(f.Ctx, &types.MsgAnchorBatch{Submitter: l.Owner, LeaseId: l.Id, Kind: types.BatchKindAudit, MerkleRoot: root, LeafCount: 5})
	require.NoError(t, err)

	for _, c := range []struct {
		name     string
		batch    uint64
		leaf     []byte
		lease    uint64
		provider string
		want     string
	}{
		{"in its execution batch", exec.BatchId, leaves[2], l.Id, l.Provider, ""},
		{"another leaf", exec.BatchId, leaves[3], l.Id, l.Provider, "receipt is NOT in anchored batch"},
		{"in an audit batch", audit.BatchId, leaves[2], l.Id, l.Provider, "receipt inclusion proves nothing: batch 2 is a"},
		{"a receipt of another lease", exec.BatchId, leaves[2], l.Id + 1, l.Provider, "receipt inclusion proves nothing: batch 1 anchors lease"},
		{"a receipt of another provider", exec.BatchId, leaves[2], l.Id, l.Owner, "receipt inclusion proves nothing: batch 1 was anchored by"},
		{"no such batch", 99, leaves[2], l.Id, l.Provider, "batch 99: "},
	} {
		t.Run(c.name, func(t *testing.T) {
			req := &types.QueryVerifyInclusionRequest{BatchId: c.batch, Leaf: c.leaf, Proof: proofs[2]}
			err := types.CheckReceiptInclusion(f.Ctx, q, req, c.lease, c.provider)
			if c.want == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorContains(t, err, c.want)
		})
	}
	err = types.CheckReceiptInclusion(f.Ctx, q, &types.QueryVerifyInclusionRequest{BatchId: 99, Leaf: leaves[2], Proof: proofs[2]}, l.Id, l.Provider)
	require.Equal(t, codes.NotFound, status.Code(err), "a failed query keeps its status")
}

// v0 is the batch a valid inclusion query checked.
func v0(t *testing.T, q types.QueryServer, f *fixture.Fixture, batch uint64, leaf []byte, proof types.MerkleProof) types.Batch {
	v, err := q.VerifyInclusion(f.Ctx, &types.QueryVerifyInclusionRequest{BatchId: batch, Leaf: leaf, Proof: proof})
	require.NoError(t, err)
	require.True(t, v.Valid, v.Reason)
	return v.Batch
}

func TestAnchorBatchRefusals(t *testing.T) {
	f := fixture.New(t)
	l := activeLease(t, f)
	msg := keeper.NewMsgServerImpl(f.Proofs)
	root := sha256.Sum256([]byte("root"))
	stranger := f.NewAccount(t, 0).String()
	for _, c := range []struct {
		name string
		m    types.MsgAnchorBatch
		want error
	}{
		{"execution batch by the owner", types.MsgAnchorBatch{Submitter: l.Owner, LeaseId: l.Id, Kind: types.BatchKindExecution, MerkleRoot: root[:], LeafCount: 1}, types.ErrUnauthorized},
		{"by a stranger", types.MsgAnchorBatch{Submitter: stranger, LeaseId: l.Id, Kind: types.BatchKindSLA, MerkleRoot: root[:], LeafCount: 1}, types.ErrUnauthorized},
		{"unknown lease", types.MsgAnchorBatch{Submitter: l.Provider, LeaseId: 99, Kind: types.BatchKindExecution, MerkleRoot: root[:], LeafCount: 1}, types.ErrLeaseNotFound},
		{"short root", types.MsgAnchorBatch{Submitter: l.Provider, LeaseId: l.Id, Kind: types.BatchKindExecution, MerkleRoot: root[:20], LeafCount: 1}, types.ErrInvalidBatch},
		{"no leaves", types.MsgAnchorBatch{Submitter: l.Provider, LeaseId: l.Id, Kind: types.BatchKindExecution, MerkleRoot: root[:], LeafCount: 0}, types.ErrInvalidBatch},
		{"too many leaves", types.MsgAnchorBatch{Submitter: l.Provider, LeaseId: l.Id, Kind: types.BatchKindExecution, MerkleRoot: root[:], LeafCount: 1 << 40}, types.ErrInvalidBatch},
		{"unknown kind", types.MsgAnchorBatch{Submitter: l.Provider, LeaseId: l.Id, Kind: 7, MerkleRoot: root[:], LeafCount: 1}, types.ErrInvalidKind},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := c.m
			_, err := msg.AnchorBatch(f.Ctx, &m)
			require.ErrorIs(t, err, c.want)
		})
	}
	// the owner may anchor audit or SLA batches about its lease
	_, err := msg.AnchorBatch(f.Ctx, &types.MsgAnchorBatch{Submitter: l.Owner, LeaseId: l.Id, Kind: types.BatchKindSLA, MerkleRoot: root[:], LeafCount: 3})
	require.NoError(t, err)
}
