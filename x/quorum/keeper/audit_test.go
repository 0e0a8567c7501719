package keeper_test

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	sdk "github.com/cosmos/cosmos-sdk/types"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"

	marketkeeper "github.com/fogchain/fog/x/market/keeper"
	markettypes "github.com/fogchain/fog/x/market/types"
	prooftypes "github.com/fogchain/fog/x/proofs/types"
	"github.com/fogchain/fog/x/quorum/keeper"
	"github.com/fogchain/fog/x/quorum/types"
)

// A request checks the anchored receipt, takes the fee, draws the committee and opens the audit:
// committing through request + audit_commit_blocks, revealing through + audit_reveal_blocks.
func TestRequestAuditOpensAnAudit(t *testing.T) {
	a := newAenv(t, 5)
	h := a.Height()
	reqBal, modBal := a.Balance(a.requester).Int64(), a.quorumModuleBalance()
	freshEvents(a.Fixture)
	res := a.request(t, 2)
	require.EqualValues(t, 1, res.AuditId)
	require.Len(t, res.Committee, 3)
	require.Equal(t, h+3, res.CommitDeadline)
	require.Equal(t, h+6, res.RevealDeadline)
	require.Equal(t, reqBal-100_000, a.Balance(a.requester).Int64(), "the fee is taken")
	require.Equal(t, modBal+100_000, a.quorumModuleBalance(), "and held")

	au := a.audit(t, 1)
	require.Equal(t, types.AuditOpen, au.State)
	require.Equal(t, a.requester.String(), au.Requester)
	require.Equal(t, a.l.Id, au.LeaseId)
	require.Equal(t, a.l.OrderId, au.OrderId)
	require.Equal(t, a.l.Provider, au.Provider)
	require.EqualValues(t, 2, au.TaskSeq)
	require.Equal(t, receiptHash(2), au.ReceiptOutputHash)
	require.Equal(t, hash32(0x11), au.ModuleHash)
	require.Equal(t, hash32(0x22), au.InputHash)
	require.Equal(t, a.p.AuditFee, au.Fee)
	require.Equal(t, h, au.RequestHeight)
	require.Equal(t, fixtureDataPeer(), au.DataPeerId)
	for i, v := range au.Committee {
		require.Equal(t, res.Committee[i], v.Auditor)
		require.True(t, v.Slashed.IsZero() && v.Paid.IsZero())
		require.Empty(t, v.Commitment)
		require.EqualValues(t, 1, a.duties(t, v.Auditor))
	}
	ev := eventsOf[*types.EventAuditRequested](t, a.Fixture)
	require.Len(t, ev, 1)
	require.Equal(t, res.Committee, ev[0].Committee)
	require.Equal(t, res.RevealDeadline, ev[0].RevealDeadline)
	a.CheckInvariants(t)

	byLease, err := keeper.NewQueryServerImpl(a.Quorum).Audits(a.Ctx, &types.QueryAuditsRequest{LeaseId: a.l.Id})
	require.NoError(t, err)
	require.Len(t, byLease.Audits, 1)
	none, err := keeper.NewQueryServerImpl(a.Quorum).Audits(a.Ctx, &types.QueryAuditsRequest{LeaseId: a.l.Id + 1})
	require.NoError(t, err)
	require.Empty(t, none.Audits)

	// another task of the same lease is audited at the same time
	second := a.request(t, 3)
	require.EqualValues(t, 2, second.AuditId)
	a.CheckInvariants(t)
}

func fixtureDataPeer() string {
	return auditMsg(nil, prooftypes.SignedReceipt{}, 0, prooftypes.MerkleProof{}).DataPeerId
}

// resign signs a modified copy of a's receipt of task seq with the provider's worker key.
func (a *aenv) resign(t *testing.T, seq uint64, mutate func(*prooftypes.Receipt)) prooftypes.SignedReceipt {
	t.Helper()
	r := *a.receipts[seq-1].Receipt
	mutate(&r)
	return signReceipt(t, workerKeyOf(a.l.provider), r)
}

// Every bad request is refused with its typed error, before any coin moves or any state changes.
func TestRequestAuditRejects(t *testing.T) {
	type prep func(t *testing.T, a *aenv) *types.MsgRequestAudit
	withReceipt := func(sr func(t *testing.T, a *aenv) prooftypes.SignedReceipt) prep {
		return func(t *testing.T, a *aenv) *types.MsgRequestAudit {
			m := a.auditMsg(1)
			m.Receipt = sr(t, a)
			return m
		}
	}
	cases := []struct {
		name     string
		prepare  prep
		want     error
		contains string
	}{
		{"no receipt", withReceipt(func(*testing.T, *aenv) prooftypes.SignedReceipt { return prooftypes.SignedReceipt{} }),
			types.ErrInvalidReceipt, "receipt missing"},
		{"a receipt of another chain", withReceipt(func(t *testing.T, a *aenv) prooftypes.SignedReceipt {
			return a.resign(t, 1, func(r *prooftypes.Receipt) { r.ChainId = "other-chain" })
		}), types.ErrInvalidReceipt, `receipt of chain "other-chain"`},
		{"a bad signature", withReceipt(func(t *testing.T, a *aenv) prooftypes.SignedReceipt {
			sr := a.receipts[0]
			sr.Signature = bytes.Clone(sr.Signature)
			sr.Signature[0] ^= 1
			return sr
		}), types.ErrInvalidReceipt, "signature does not verify"},
		{"a receipt changed after signing", withReceipt(func(t *testing.T, a *aenv) prooftypes.SignedReceipt {
			sr := a.receipts[0]
			r := *sr.Receipt
			r.OutputHash = wrongHash
			sr.Receipt = &r
			return sr
		}), types.ErrInvalidReceipt, "signature does not verify"},
		{"signed by a key that is not the provider's", withReceipt(func(t *testing.T, a *aenv) prooftypes.SignedReceipt {
			seed := sha256.Sum256([]byte("another key"))
			other := ed25519.NewKeyFromSeed(seed[:])
			r := *a.receipts[0].Receipt
			r.WorkerPubkey = other.Public().(ed25519.PublicKey)
			return signReceipt(t, other, r)
		}), types.ErrInvalidReceipt, "another worker key"},
		{"a receipt naming another provider than the lease's", withReceipt(func(t *testing.T, a *aenv) prooftypes.SignedReceipt {
			return a.resign(t, 1, func(r *prooftypes.Receipt) { r.Provider = a.l.Owner })
		}), types.ErrInvalidReceipt, "receipt names provider"},
		{"a receipt naming a provider that is not an address", withReceipt(func(t *testing.T, a *aenv) prooftypes.SignedReceipt {
			return a.resign(t, 1, func(r *prooftypes.Receipt) { r.Provider = "nobody" })
		}), types.ErrInvalidReceipt, "receipt names provider"},
		{"a receipt of a lease that does not exist", withReceipt(func(t *testing.T, a *aenv) prooftypes.SignedReceipt {
			return a.resign(t, 1, func(r *prooftypes.Receipt) { r.LeaseId = 999 })
		}), types.ErrInvalidReceipt, "lease 999"},
		{"a module hash of 31 bytes", withReceipt(func(t *testing.T, a *aenv) prooftypes.SignedReceipt {
			return a.resign(t, 1, func(r *prooftypes.Receipt) { r.ModuleHash = r.ModuleHash[:31] })
		}), types.ErrInvalidReceipt, "module_hash of 31 bytes"},
		{"no input hash", withReceipt(func(t *testing.T, a *aenv) prooftypes.SignedReceipt {
			return a.resign(t, 1, func(r *prooftypes.Receipt) { r.InputHash = nil })
		}), types.ErrInvalidReceipt, "input_hash of 0 bytes"},
		{"an output hash of 33 bytes", withReceipt(func(t *testing.T, a *aenv) prooftypes.SignedReceipt {
			return a.resign(t, 1, func(r *prooftypes.Receipt) { r.OutputHash = append(bytes.Clone(r.OutputHash), 0) })
		}), types.ErrInvalidReceipt, "output_hash of 33 bytes"},
		{"a signed receipt never anchored", withReceipt(func(t *testing.T, a *aenv) prooftypes.SignedReceipt {
			return a.resign(t, 1, func(r *prooftypes.Receipt) { r.DurationMicros++ })
		}), types.ErrInvalidReceipt, "not anchored"},
		{"another receipt's proof", func(t *testing.T, a *aenv) *types.MsgRequestAudit {
			m := a.auditMsg(1)
			m.Proof = a.proofs[1]
			return m
		}, types.ErrInvalidReceipt, "not anchored"},
		{"a proof for a tree of another size", func(t *testing.T, a *aenv) *types.MsgRequestAudit {
			m := a.auditMsg(1)
			m.Proof.Total++
			return m
		}, types.ErrInvalidReceipt, "not anchored"},
		{"a batch that does not exist", func(t *testing.T, a *aenv) *types.MsgRequestAudit {
			m := a.auditMsg(1)
			m.BatchId = 99
			return m
		}, types.ErrInvalidReceipt, "batch 99 not found"},
		{"the receipt in another lease's batch", func(t *testing.T, a *aenv) *types.MsgRequestAudit {
			other := a.activeLease(t, 100)
			batch, proofs := a.anchor(t, other.Provider, other.Id, prooftypes.BatchKindExecution, a.receipts[0])
			return auditMsg(a.requester, a.receipts[0], batch, proofs[0])
		}, types.ErrInvalidReceipt, "anchors lease"},
		{"the receipt in an audit batch the owner anchored", func(t *testing.T, a *aenv) *types.MsgRequestAudit {
			batch, proofs := a.anchor(t, a.l.Owner, a.l.Id, prooftypes.BatchKindAudit, a.receipts[0])
			return auditMsg(a.requester, a.receipts[0], batch, proofs[0])
		}, types.ErrInvalidReceipt, "not an execution batch"},
		{"a lease its owner closed", func(t *testing.T, a *aenv) *types.MsgRequestAudit {
			_, err := a.Msg.CloseLease(a.Ctx, &markettypes.MsgCloseLease{Sender: a.l.Owner, LeaseId: a.l.Id})
			require.NoError(t, err)
			return a.auditMsg(1)
		}, types.ErrLeaseNotAuditable, "LEASE_STATE_CLOSED"},
		{"a lease that ends at the reveal deadline", func(t *testing.T, a *aenv) *types.MsgRequestAudit {
			a.AdvanceTo(t, a.l.EndHeight-6)
			return a.auditMsg(1)
		}, types.ErrLeaseNotAuditable, "runs past its verdict"},
		{"a task under an open audit", func(t *testing.T, a *aenv) *types.MsgRequestAudit {
			a.request(t, 1)
			return a.auditMsg(1)
		}, types.ErrAuditOpen, "task 1 of lease"},
		{"another receipt of a task under an open audit", func(t *testing.T, a *aenv) *types.MsgRequestAudit {
			a.request(t, 1)
			sr := a.resign(t, 1, func(r *prooftypes.Receipt) { r.OutputHash = wrongHash })
			batch, proofs := a.anchor(t, a.l.Provider, a.l.Id, prooftypes.BatchKindExecution, sr)
			return auditMsg(a.requester, sr, batch, proofs[0])
		}, types.ErrAuditOpen, "task 1 of lease"},
		{"no data peer", func(t *testing.T, a *aenv) *types.MsgRequestAudit {
			m := a.auditMsg(1)
			m.DataPeerId = ""
			return m
		}, types.ErrInvalidRequest, "data_peer_id"},
		{"a data peer id of 129 bytes", func(t *testing.T, a *aenv) *types.MsgRequestAudit {
			m := a.auditMsg(1)
			m.DataPeerId = strings.Repeat("p", 129)
			return m
		}, types.ErrInvalidRequest, "data_peer_id"},
		{"no data multiaddr", func(t *testing.T, a *aenv) *types.MsgRequestAudit {
			m := a.auditMsg(1)
			m.DataMultiaddrs = nil
			return m
		}, types.ErrInvalidRequest, "0 data_multiaddrs"},
		{"nine data multiaddrs", func(t *testing.T, a *aenv) *types.MsgRequestAudit {
			m := a.auditMsg(1)
			m.DataMultiaddrs = make([]string, 9)
			for i := range m.DataMultiaddrs {
				m.DataMultiaddrs[i] = "/ip4/127.0.0.1/tcp/4002"
			}
			return m
		}, types.ErrInvalidRequest, "9 data_multiaddrs"},
		{"an empty data multiaddr", func(t *testing.T, a *aenv) *types.MsgRequestAudit {
			m := a.auditMsg(1)
			m.DataMultiaddrs = []string{"/ip4/127.0.0.1/tcp/4002", ""}
			return m
		}, types.ErrInvalidRequest, "data multiaddr"},
		{"a data multiaddr of 257 bytes", func(t *testing.T, a *aenv) *types.MsgRequestAudit {
			m := a.auditMsg(1)
			m.DataMultiaddrs = []string{strings.Repeat("a", 257)}
			return m
		}, types.ErrInvalidRequest, "data multiaddr"},
		{"a requester one coin short of the fee", func(t *testing.T, a *aenv) *types.MsgRequestAudit {
			m := a.auditMsg(1)
			m.Requester = a.NewAccount(t, a.p.AuditFee.Amount.Int64()-1).String()
			return m
		}, types.ErrInsufficientFunds, "needs 100000ufog"},
		{"a committee larger than the eligible pool", func(t *testing.T, a *aenv) *types.MsgRequestAudit {
			a.setParams(t, func(p *types.Params) { p.AuditCommitteeSize = 7 })
			return a.auditMsg(1)
		}, types.ErrTooFewVerifiers, "5 eligible verifiers"},
		{"a requester of another chain's prefix", func(t *testing.T, a *aenv) *types.MsgRequestAudit {
			m := a.auditMsg(1)
			_, _, m.Requester = spellingsOf(t, a.requester)
			return m
		}, types.ErrInvalidAddress, "requester"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := newAenv(t, 5)
			m := c.prepare(t, a)
			a.requireRejected(t, c.want, func() error {
				_, err := a.msg.RequestAudit(a.Ctx, m)
				return err
			}, c.contains)
		})
	}
}

// The last height at which a lease can be audited is the one whose verdict falls in the lease's
// last block; the audit then decides while the lease is still active, and a failed one slashes it.
func TestAuditOfALeaseInItsLastBlocks(t *testing.T) {
	a := newAenv(t, 3)
	a.AdvanceTo(t, a.l.EndHeight-7)
	res := a.request(t, 1)
	require.Equal(t, a.l.EndHeight-1, res.RevealDeadline)
	au := a.vote(t, res.AuditId, []vote{voted(wrongHash), voted(wrongHash), voted(wrongHash)})
	require.Equal(t, types.AuditFailed, au.State)
	require.Equal(t, a.l.Bond, au.BondSlashed)
	require.Equal(t, markettypes.CloseReasonAuditFailed, a.Lease(t, a.l.Id).CloseReason)
	a.CheckInvariants(t)
}

// Bad votes are refused with their typed error and change nothing.
func TestCommitAndRevealRejects(t *testing.T) {
	type env struct {
		*aenv
		id        uint64
		committee []string
	}
	commit := func(e *env, auditor string, c []byte) func() error {
		return func() error {
			_, err := e.msg.CommitAuditVote(e.Ctx, &types.MsgCommitAuditVote{Auditor: auditor, AuditId: e.id, Commitment: c})
			return err
		}
	}
	reveal := func(e *env, auditor string, out, s []byte) func() error {
		return func() error {
			_, err := e.msg.RevealAuditVote(e.Ctx, &types.MsgRevealAuditVote{Auditor: auditor, AuditId: e.id, OutputHash: out, Salt: s})
			return err
		}
	}
	// toReveal commits member 0's vote for the receipt's hash and moves to the first reveal block.
	toReveal := func(t *testing.T, e *env) {
		require.NoError(t, e.commitVote(e.id, e.committee[0], receiptHash(1)))
		e.AdvanceTo(t, e.audit(t, e.id).CommitDeadline+1)
	}
	cases := []struct {
		name    string
		prepare func(t *testing.T, e *env) func() error
		want    error
	}{
		{"commit by a verifier not on the committee", func(t *testing.T, e *env) func() error {
			for _, v := range e.pool {
				if e.audit(t, e.id).Member(v.String()) < 0 {
					return commit(e, v.String(), commitment(e.id, v.String(), receiptHash(1)))
				}
			}
			panic("the whole pool is on the committee")
		}, types.ErrNotOnCommittee},
		{"commit by the requester", func(t *testing.T, e *env) func() error {
			return commit(e, e.requester.String(), commitment(e.id, e.requester.String(), receiptHash(1)))
		}, types.ErrNotOnCommittee},
		{"commit on an audit that does not exist", func(t *testing.T, e *env) func() error {
			e.id = 42
			return commit(e, e.committee[0], commitment(42, e.committee[0], receiptHash(1)))
		}, types.ErrAuditNotFound},
		{"a commitment of 31 bytes", func(t *testing.T, e *env) func() error {
			return commit(e, e.committee[0], commitment(e.id, e.committee[0], receiptHash(1))[:31])
		}, types.ErrInvalidRequest},
		{"no commitment", func(t *testing.T, e *env) func() error {
			return commit(e, e.committee[0], nil)
		}, types.ErrInvalidRequest},
		{"commit after the commit deadline", func(t *testing.T, e *env) func() error {
			e.AdvanceTo(t, e.audit(t, e.id).CommitDeadline+1)
			return commit(e, e.committee[0], commitment(e.id, e.committee[0], receiptHash(1)))
		}, types.ErrWrongPhase},
		{"commit twice", func(t *testing.T, e *env) func() error {
			require.NoError(t, e.commitVote(e.id, e.committee[0], receiptHash(1)))
			return commit(e, e.committee[0], commitment(e.id, e.committee[0], wrongHash))
		}, types.ErrAlreadyVoted},
		{"commit twice, the same commitment", func(t *testing.T, e *env) func() error {
			require.NoError(t, e.commitVote(e.id, e.committee[0], receiptHash(1)))
			return commit(e, e.committee[0], commitment(e.id, e.committee[0], receiptHash(1)))
		}, types.ErrAlreadyVoted},
		{"reveal in the commit phase", func(t *testing.T, e *env) func() error {
			require.NoError(t, e.commitVote(e.id, e.committee[0], receiptHash(1)))
			e.AdvanceTo(t, e.audit(t, e.id).CommitDeadline)
			return reveal(e, e.committee[0], receiptHash(1), salt(e.committee[0]))
		}, types.ErrWrongPhase},
		{"reveal after the reveal deadline, before the EndBlock decides", func(t *testing.T, e *env) func() error {
			toReveal(t, e)
			e.AdvanceTo(t, e.audit(t, e.id).RevealDeadline)
			e.SetHeight(e.Height() + 1) // the deadline's EndBlock has not run
			return reveal(e, e.committee[0], receiptHash(1), salt(e.committee[0]))
		}, types.ErrWrongPhase},
		{"reveal once the audit is decided", func(t *testing.T, e *env) func() error {
			toReveal(t, e)
			e.AdvanceTo(t, e.audit(t, e.id).RevealDeadline+1)
			require.NotEqual(t, types.AuditOpen, e.audit(t, e.id).State)
			return reveal(e, e.committee[0], receiptHash(1), salt(e.committee[0]))
		}, types.ErrWrongPhase},
		{"commit once the audit is decided", func(t *testing.T, e *env) func() error {
			e.AdvanceTo(t, e.audit(t, e.id).RevealDeadline+1)
			return commit(e, e.committee[1], commitment(e.id, e.committee[1], receiptHash(1)))
		}, types.ErrWrongPhase},
		{"reveal without a commitment", func(t *testing.T, e *env) func() error {
			toReveal(t, e)
			return reveal(e, e.committee[1], receiptHash(1), salt(e.committee[1]))
		}, types.ErrWrongPhase},
		{"reveal another hash than committed", func(t *testing.T, e *env) func() error {
			toReveal(t, e)
			return reveal(e, e.committee[0], wrongHash, salt(e.committee[0]))
		}, types.ErrBadReveal},
		{"reveal with another salt", func(t *testing.T, e *env) func() error {
			toReveal(t, e)
			return reveal(e, e.committee[0], receiptHash(1), salt("another"))
		}, types.ErrBadReveal},
		{"reveal a copy of another member's commitment", func(t *testing.T, e *env) func() error {
			require.NoError(t, e.commitVote(e.id, e.committee[0], receiptHash(1)))
			// member 1 commits member 0's commitment bytes, then reveals what member 0 would
			require.NoError(t, commit(e, e.committee[1], commitment(e.id, e.committee[0], receiptHash(1)))())
			e.AdvanceTo(t, e.audit(t, e.id).CommitDeadline+1)
			return reveal(e, e.committee[1], receiptHash(1), salt(e.committee[0]))
		}, types.ErrBadReveal},
		{"reveal twice", func(t *testing.T, e *env) func() error {
			toReveal(t, e)
			require.NoError(t, e.revealVote(e.id, e.committee[0], receiptHash(1)))
			return reveal(e, e.committee[0], receiptHash(1), salt(e.committee[0]))
		}, types.ErrAlreadyVoted},
		{"reveal an output hash of 31 bytes", func(t *testing.T, e *env) func() error {
			toReveal(t, e)
			return reveal(e, e.committee[0], receiptHash(1)[:31], salt(e.committee[0]))
		}, types.ErrInvalidRequest},
		{"reveal a salt of 65 bytes", func(t *testing.T, e *env) func() error {
			toReveal(t, e)
			return reveal(e, e.committee[0], receiptHash(1), bytes.Repeat([]byte{1}, 65))
		}, types.ErrInvalidRequest},
		{"reveal by a verifier not on the committee", func(t *testing.T, e *env) func() error {
			toReveal(t, e)
			return reveal(e, e.requester.String(), receiptHash(1), salt(e.requester.String()))
		}, types.ErrNotOnCommittee},
		{"reveal by an address of another prefix", func(t *testing.T, e *env) func() error {
			toReveal(t, e)
			_, _, foreign := spellingsOf(t, sdk.MustAccAddressFromBech32(e.committee[0]))
			return reveal(e, foreign, receiptHash(1), salt(e.committee[0]))
		}, types.ErrInvalidAddress},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := newAenv(t, 4)
			res := a.request(t, 1)
			e := &env{aenv: a, id: res.AuditId, committee: res.Committee}
			call := c.prepare(t, e)
			a.requireRejected(t, c.want, call)
		})
	}
}

// decided is an audit's decision with everyone's balance before it.
type decided struct {
	types.Audit
	before map[string]int64
}

// decide votes and records the balances of the requester, provider, owner and committee right
// after the request.
func (a *aenv) decide(t *testing.T, res *types.MsgRequestAuditResponse, votes []vote) decided {
	t.Helper()
	before := map[string]int64{}
	for _, s := range append([]string{a.requester.String(), a.l.Provider, a.l.Owner}, res.Committee...) {
		before[s] = a.bal(s)
	}
	return decided{Audit: a.vote(t, res.AuditId, votes), before: before}
}

func (d decided) gained(a *aenv, addr string) int64 { return a.bal(addr) - d.before[addr] }

// PASSED: the committee agrees with the receipt. The fee is shared equally by the majority, the
// remainder goes back to the requester, the provider's reputation gains an audit passed (α + 1);
// the lease runs on with its bond, and the committee is free again. The same task can be audited
// again once decided.
func TestAuditPassedPaysTheMajority(t *testing.T) {
	a := newAenv(t, 3)
	res := a.request(t, 1)
	provBefore := a.score(t, a.l.Provider)
	freshEvents(a.Fixture)
	d := a.decide(t, res, []vote{voted(receiptHash(1)), voted(receiptHash(1)), voted(receiptHash(1))})
	require.Equal(t, types.AuditPassed, d.State)
	require.Equal(t, receiptHash(1), d.MajorityOutputHash)
	require.Equal(t, a.Height()-1, d.DecidedHeight)
	for _, v := range d.Committee {
		require.True(t, v.WithMajority)
		require.Equal(t, "33333ufog", v.Paid.String())
		require.True(t, v.Slashed.IsZero())
		require.EqualValues(t, 33_333, d.gained(a, v.Auditor))
		require.Zero(t, a.duties(t, v.Auditor))
	}
	require.Equal(t, "1ufog", d.ToRequester.String(), "what does not divide goes to the requester")
	require.EqualValues(t, 1, d.gained(a, a.requester.String()))
	require.True(t, d.BondSlashed.IsZero())
	l := a.Lease(t, a.l.Id)
	require.Equal(t, markettypes.LeaseActive, l.State)
	require.Equal(t, a.l.Bond, l.Bond)
	after := a.score(t, a.l.Provider)
	require.InDelta(t, provBefore.Alpha.MustFloat64()+1, after.Alpha.MustFloat64(), 1e-4, "α grows by audit_passed's weight")
	require.InDelta(t, provBefore.Beta.MustFloat64(), after.Beta.MustFloat64(), 1e-4)
	decidedEv := eventsOf[*types.EventAuditDecided](t, a.Fixture)
	require.Len(t, decidedEv, 1)
	require.Equal(t, types.AuditPassed, decidedEv[0].State)
	require.Empty(t, decidedEv[0].SlashedAuditors)
	a.CheckInvariants(t)
	require.EqualValues(t, 3*a.p.VerifierDeposit.Amount.Int64(), a.quorumModuleBalance(), "only the deposits are left")

	again := a.request(t, 1)
	require.EqualValues(t, 2, again.AuditId)
	a.CheckInvariants(t)
}

// Members that did not commit, did not reveal, or voted against the majority lose their whole
// deposit, burned (the supply falls by exactly that), and leave the pool; the majority shares the
// fee; the others' duties are released.
func TestAuditMembersAgainstTheMajorityOrAbsentAreSlashed(t *testing.T) {
	a := newAenv(t, 7)
	a.setParams(t, func(p *types.Params) { p.AuditCommitteeSize = 7 })
	res := a.request(t, 1)
	supply := a.Supply()
	freshEvents(a.Fixture)
	ok := voted(receiptHash(1))
	d := a.decide(t, res, []vote{ok, voted(wrongHash), ok, committed(receiptHash(1)), ok, absent, ok})
	require.Equal(t, types.AuditPassed, d.State)
	deposit := a.p.VerifierDeposit.Amount.Int64()
	require.Equal(t, 3*deposit, a.supplyDrop(supply), "exactly the three deposits are burned")
	var slashed []string
	for i, v := range d.Committee {
		_, inPool := a.verifier(t, v.Auditor)
		switch i {
		case 1, 3, 5:
			slashed = append(slashed, v.Auditor)
			require.Equal(t, a.p.VerifierDeposit, v.Slashed)
			require.True(t, v.Paid.IsZero())
			require.False(t, v.WithMajority)
			require.False(t, inPool, "a slashed member leaves the pool")
			require.Zero(t, d.gained(a, v.Auditor), "nothing is refunded to it")
		default:
			require.True(t, v.WithMajority)
			require.Equal(t, "25000ufog", v.Paid.String())
			require.EqualValues(t, 25_000, d.gained(a, v.Auditor))
			require.True(t, inPool)
			require.Zero(t, a.duties(t, v.Auditor))
		}
	}
	require.Zero(t, d.gained(a, a.requester.String()), "the fee divides evenly among four")
	ev := eventsOf[*types.EventAuditDecided](t, a.Fixture)
	require.Len(t, ev, 1)
	require.Equal(t, slashed, ev[0].SlashedAuditors)
	left := eventsOf[*types.EventVerifierLeft](t, a.Fixture)
	require.Len(t, left, 3)
	for _, e := range left {
		require.True(t, strings.HasPrefix(e.Reason, "slashed: "), e.Reason)
		require.True(t, e.Refunded.IsZero())
	}
	a.CheckInvariants(t)
	require.EqualValues(t, 4*deposit, a.quorumModuleBalance())
}

// FAILED: the majority's hash is not the receipt's. The lease closes AUDIT_FAILED, the provider is
// paid what accrued and loses its bond: audit_committee_share_bps of it goes to the majority in equal
// shares with the fee, the rest and every remainder to the requester; the owner gets the escrow left;
// the provider's β grows by audit_failed's weight. Nothing is burned.
func TestAuditFailedSlashesTheBond(t *testing.T) {
	a := newAenv(t, 3)
	res := a.request(t, 1)
	provBefore := a.score(t, a.l.Provider)
	supply := a.Supply()
	marketBefore := a.ModuleBalance().AmountOf("ufog").Int64()
	freshEvents(a.Fixture)
	// what the lease holds just before the decision
	rd := res.RevealDeadline
	l := a.Lease(t, a.l.Id)
	accrued := marketkeeper.Accrued(l, rd).Amount.Int64()
	escrowLeft := l.Escrow.Amount.Int64() - accrued
	d := a.decide(t, res, []vote{voted(wrongHash), voted(wrongHash), voted(wrongHash)})
	require.Equal(t, types.AuditFailed, d.State)
	require.Equal(t, wrongHash, d.MajorityOutputHash)
	bond := a.l.Bond.Amount.Int64()
	require.EqualValues(t, 1_000_000, bond)
	require.Equal(t, a.l.Bond, d.BondSlashed)
	// 20 % of the bond: 200,000 / 3 = 66,666 each; the fee: 33,333 each
	for _, v := range d.Committee {
		require.Equal(t, "99999ufog", v.Paid.String())
		require.EqualValues(t, 99_999, d.gained(a, v.Auditor))
		require.Zero(t, a.duties(t, v.Auditor))
	}
	require.Equal(t, "800003ufog", d.ToRequester.String(), "80 % of the bond and both remainders")
	require.EqualValues(t, 800_003, d.gained(a, a.requester.String()))

	closed := a.Lease(t, a.l.Id)
	require.Equal(t, markettypes.LeaseClosed, closed.State)
	require.Equal(t, markettypes.CloseReasonAuditFailed, closed.CloseReason)
	require.Equal(t, rd, closed.ClosedHeight)
	require.EqualValues(t, accrued, d.gained(a, a.l.Provider), "the provider is paid what accrued, its bond is gone")
	require.EqualValues(t, escrowLeft, d.gained(a, a.l.Owner), "the owner gets the escrow left")
	require.Equal(t, marketBefore-l.Escrow.Amount.Int64()-bond, a.ModuleBalance().AmountOf("ufog").Int64())
	require.Zero(t, a.supplyDrop(supply), "a slashed bond is paid out, not burned")
	after := a.score(t, a.l.Provider)
	require.InDelta(t, provBefore.Beta.MustFloat64()+3, after.Beta.MustFloat64(), 1e-4, "β grows by audit_failed's weight")
	require.InDelta(t, provBefore.Alpha.MustFloat64(), after.Alpha.MustFloat64(), 1e-4)
	q, err := a.Quorum.Quorums.Get(a.Ctx, a.l.OrderId)
	require.NoError(t, err)
	require.Equal(t, types.MemberFailed, q.Members[0].State)
	require.Equal(t, markettypes.CloseReasonAuditFailed.String(), q.Members[0].CloseReason)
	a.CheckInvariants(t)
	require.Zero(t, a.Bank.GetAllBalances(a.Ctx, authtypes.NewModuleAddress(types.ModuleName)).AmountOf("ufog").Int64()-3*a.p.VerifierDeposit.Amount.Int64(),
		"the slashed bond passed through x/quorum")
}

// A failed audit of a member whose order holds a standby: the standby takes the lease's place for
// the blocks it had left, as after any fault of its provider.
func TestAuditFailedPromotesAStandby(t *testing.T) {
	s := newSilverParties(t)
	sr := receiptOf(t, s.l, 1, receiptHash(1))
	batch, proofs := s.anchor(t, s.l.Provider, s.l.Id, prooftypes.BatchKindExecution, sr)
	res, err := s.msg.RequestAudit(s.Ctx, auditMsg(s.requester, sr, batch, proofs[0]))
	require.NoError(t, err)
	q, err := s.Quorum.Quorums.Get(s.Ctx, s.order.Id)
	require.NoError(t, err)
	standby := q.Standbys[0].Provider
	au := s.vote(t, res.AuditId, []vote{voted(wrongHash), voted(wrongHash), voted(wrongHash)})
	require.Equal(t, types.AuditFailed, au.State)
	require.Equal(t, s.l.Bond, au.BondSlashed)
	leases := s.LeasesOf(t, s.order.Id)
	require.Len(t, leases, 3, "the standby got a lease")
	repl := leases[2]
	require.Equal(t, standby, repl.Provider)
	require.Equal(t, markettypes.LeasePending, repl.State)
	require.Equal(t, s.l.PricePerBlock, repl.PricePerBlock)
	require.EqualValues(t, s.l.EndHeight-(au.RevealDeadline), repl.LeaseBlocks, "for the blocks the failed lease had left")
	q, err = s.Quorum.Quorums.Get(s.Ctx, s.order.Id)
	require.NoError(t, err)
	require.Equal(t, types.MemberReplaced, q.Members[0].State)
	require.Equal(t, repl.Id, q.Members[0].ReplacedBy)
	require.Equal(t, types.StandbyPromoted, q.Standbys[0].State)
	s.CheckInvariants(t)
}

// INCONCLUSIVE: no hash has a majority. The fee goes back whole; members that revealed keep their
// deposit, one that did not reveal loses it.
func TestAuditInconclusiveRefundsTheFee(t *testing.T) {
	a := newAenv(t, 3)
	res := a.request(t, 1)
	provBefore := a.score(t, a.l.Provider)
	supply := a.Supply()
	d := a.decide(t, res, []vote{voted(receiptHash(1)), voted(wrongHash), voted(hash32(0xdd))})
	require.Equal(t, types.AuditInconclusive, d.State)
	require.Empty(t, d.MajorityOutputHash)
	require.Equal(t, a.p.AuditFee, d.ToRequester)
	require.EqualValues(t, 100_000, d.gained(a, a.requester.String()), "the whole fee back")
	for _, v := range d.Committee {
		require.True(t, v.Paid.IsZero() && v.Slashed.IsZero())
		require.False(t, v.WithMajority)
		require.Zero(t, d.gained(a, v.Auditor))
		require.Zero(t, a.duties(t, v.Auditor))
	}
	require.Zero(t, a.supplyDrop(supply))
	require.Equal(t, markettypes.LeaseActive, a.Lease(t, a.l.Id).State)
	after := a.score(t, a.l.Provider)
	require.True(t, provBefore.Alpha.Equal(after.Alpha) && provBefore.Beta.Equal(after.Beta), "no outcome for the provider")
	a.CheckInvariants(t)

	// two votes apart and one never revealed: still no majority, and the silent member is slashed
	res = a.request(t, 2)
	d = a.decide(t, res, []vote{voted(receiptHash(2)), voted(wrongHash), committed(receiptHash(2))})
	require.Equal(t, types.AuditInconclusive, d.State)
	require.EqualValues(t, 100_000, d.gained(a, a.requester.String()))
	require.Equal(t, a.p.VerifierDeposit.Amount.Int64(), a.supplyDrop(supply))
	_, inPool := a.verifier(t, d.Committee[2].Auditor)
	require.False(t, inPool)
	require.Equal(t, a.p.VerifierDeposit, d.Committee[2].Slashed)
	a.CheckInvariants(t)
}

// A lease its owner closes before the verdict has no bond left: the audit still fails its provider
// (β grows) and pays the committee the fee, but slashes nothing.
func TestAuditFailedAfterTheLeaseClosedSlashesNothing(t *testing.T) {
	a := newAenv(t, 3)
	res := a.request(t, 1)
	provBefore := a.score(t, a.l.Provider)
	bal := a.bal(a.l.Provider)
	_, err := a.Msg.CloseLease(a.Ctx, &markettypes.MsgCloseLease{Sender: a.l.Owner, LeaseId: a.l.Id})
	require.NoError(t, err)
	closed := a.Lease(t, a.l.Id)
	require.Equal(t, markettypes.CloseReasonOwnerClosed, closed.CloseReason)
	require.EqualValues(t, bal+closed.Paid.Amount.Int64()+a.l.Bond.Amount.Int64(), a.bal(a.l.Provider), "the owner's close returned the bond")
	supply := a.Supply()
	d := a.decide(t, res, []vote{voted(wrongHash), voted(wrongHash), voted(wrongHash)})
	require.Equal(t, types.AuditFailed, d.State)
	require.True(t, d.BondSlashed.IsZero())
	require.Equal(t, "1ufog", d.ToRequester.String())
	for _, v := range d.Committee {
		require.Equal(t, "33333ufog", v.Paid.String())
	}
	require.Zero(t, d.gained(a, a.l.Provider))
	require.Equal(t, markettypes.CloseReasonOwnerClosed, a.Lease(t, a.l.Id).CloseReason, "the lease keeps its close reason")
	require.Zero(t, a.supplyDrop(supply))
	require.InDelta(t, provBefore.Beta.MustFloat64()+3, a.score(t, a.l.Provider).Beta.MustFloat64(), 1e-4)
	a.CheckInvariants(t)
}

// A requester that does not serve the module and input cannot make honest members lose their
// deposits: they vote data unavailable (32 zero bytes), a majority of that ends the audit
// INCONCLUSIVE and pays the fee to that majority, not back to the requester; nothing is slashed
// from the provider, and a member who claims unavailability against a majority that computed a
// hash is slashed like any dissenter.
func TestAuditDataUnavailablePaysTheMajorityNotTheRequester(t *testing.T) {
	a := newAenv(t, 3)
	res := a.request(t, 1)
	provBefore := a.score(t, a.l.Provider)
	supply := a.Supply()
	d := a.decide(t, res, []vote{voted(types.DataUnavailable), voted(types.DataUnavailable), voted(types.DataUnavailable)})
	require.Equal(t, types.AuditInconclusive, d.State)
	require.Equal(t, types.DataUnavailable, d.MajorityOutputHash)
	require.Equal(t, "1ufog", d.ToRequester.String(), "only what does not divide")
	for _, v := range d.Committee {
		require.True(t, v.WithMajority)
		require.Equal(t, "33333ufog", v.Paid.String())
		require.True(t, v.Slashed.IsZero())
		require.Zero(t, a.duties(t, v.Auditor))
	}
	require.Zero(t, a.supplyDrop(supply), "no deposit burned")
	require.True(t, d.BondSlashed.IsZero())
	require.Equal(t, markettypes.LeaseActive, a.Lease(t, a.l.Id).State)
	after := a.score(t, a.l.Provider)
	require.True(t, provBefore.Alpha.Equal(after.Alpha) && provBefore.Beta.Equal(after.Beta), "no outcome for the provider")
	a.CheckInvariants(t)

	// a lazy member claims the data was unavailable while the others fetched it and agree
	res = a.request(t, 2)
	d = a.decide(t, res, []vote{voted(receiptHash(2)), voted(receiptHash(2)), voted(types.DataUnavailable)})
	require.Equal(t, types.AuditPassed, d.State)
	require.Equal(t, a.p.VerifierDeposit, d.Committee[2].Slashed)
	require.Equal(t, a.p.VerifierDeposit.Amount.Int64(), a.supplyDrop(supply))
	a.CheckInvariants(t)
}
