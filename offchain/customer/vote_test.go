package customer_test

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/fogchain/fog/offchain/customer"
	"github.com/fogchain/fog/offchain/runtime"
	"github.com/fogchain/fog/offchain/wire"
	markettypes "github.com/fogchain/fog/x/market/types"
)

const (
	voteChain = "fog-test"
	voteOrder = 7
	voteSeq   = 1
)

var (
	voteModule = []byte("\x00asm the workload")
	voteInput  = []byte("the input")
	outA       = []byte("output A")
	outB       = []byte("output B")
	outC       = []byte("output C")
)

// answer is the ballot of lease id whose worker (its own ed25519 key, registered as the provider's
// worker key) ran the task to output with status, and signed a receipt saying so.
func answer(t *testing.T, id uint64, output []byte, status runtime.Status) customer.Ballot {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	provider := sdk.AccAddress(bytes.Repeat([]byte{byte(id)}, 20)).String()
	lease := markettypes.Lease{Id: id, OrderId: voteOrder, Provider: provider, State: markettypes.LeaseActive}
	exit := uint32(0)
	if status == runtime.StatusExit {
		exit = 3
	}
	signed, err := wire.SignReceipt(wire.Receipt{
		ChainId: voteChain, LeaseId: id, TaskSeq: voteSeq, ModuleHash: wire.Hash(voteModule), InputHash: wire.Hash(voteInput),
		OutputHash: wire.Hash(output), Status: int32(status), ExitCode: exit, WorkerPubkey: pub, Provider: provider,
	}, priv)
	require.NoError(t, err)
	return customer.Ballot{Lease: lease, Replica: &customer.Replica{
		Lease: lease, Provider: markettypes.Provider{Owner: provider, WorkerPubkey: pub}, Output: bytes.Clone(output), Receipt: signed,
	}}
}

func ok(t *testing.T, id uint64, output []byte) customer.Ballot {
	return answer(t, id, output, runtime.StatusOK)
}

// forged: the receipt is signed by another key than the provider's registered worker key.
func forged(t *testing.T, id uint64, output []byte) customer.Ballot {
	b := ok(t, id, output)
	_, other, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	b.Replica.Receipt.Signature = ed25519.Sign(other, []byte("anything"))
	return b
}

// swapped: the receipt is validly signed for output, but the worker sent other bytes.
func swapped(t *testing.T, id uint64, output, sent []byte) customer.Ballot {
	b := ok(t, id, output)
	b.Replica.Output = bytes.Clone(sent)
	return b
}

// unanswered: the lease's worker gave nothing (refused, unreachable, lease never started).
func unanswered(id uint64) customer.Ballot {
	return customer.Ballot{Lease: markettypes.Lease{Id: id, OrderId: voteOrder}, Err: errors.New("the provider did not start the lease within 1m0s")}
}

func vote(ballots ...customer.Ballot) *customer.Tally {
	return customer.Vote(voteChain, voteOrder, voteSeq, voteModule, voteInput, ballots)
}

func verdicts(t *customer.Tally) []customer.Verdict {
	out := make([]customer.Verdict, len(t.Ballots))
	for i, b := range t.Ballots {
		out[i] = b.Verdict
	}
	return out
}

const (
	maj  = customer.VerdictMajority
	dis  = customer.VerdictDisagrees
	none = customer.VerdictNoMajority
	fail = customer.VerdictFailed
)

// The majority is the outcome signed by more than half of the valid receipts; the result is its
// output. Every other valid receipt disagrees, and the disagreement lists those replicas with their
// receipts.
func TestVoteMajority(t *testing.T) {
	t.Run("3 of 3", func(t *testing.T) {
		tally := vote(ok(t, 1, outA), ok(t, 2, outA), ok(t, 3, outA))
		require.NoError(t, tally.Err())
		require.Equal(t, outA, tally.Output)
		require.Equal(t, wire.Hash(outA), tally.Majority.OutputHash)
		require.Equal(t, []customer.Verdict{maj, maj, maj}, verdicts(tally))
		require.Equal(t, [3]int{3, 3, 1}, [3]int{tally.Valid, tally.Agree, tally.Outcomes})
		require.Nil(t, tally.Disagreement())
	})

	t.Run("2 of 3", func(t *testing.T) {
		tally := vote(ok(t, 1, outA), ok(t, 2, outB), ok(t, 3, outA))
		require.NoError(t, tally.Err())
		require.Equal(t, outA, tally.Output)
		require.Equal(t, []customer.Verdict{maj, dis, maj}, verdicts(tally))
		require.Equal(t, [3]int{3, 2, 2}, [3]int{tally.Valid, tally.Agree, tally.Outcomes})
		d := tally.Disagreement()
		require.NotNil(t, d)
		require.Equal(t, uint64(voteOrder), d.OrderID)
		require.Equal(t, uint64(voteSeq), d.TaskSeq)
		require.True(t, d.Majority.Equal(*tally.Majority))
		require.Len(t, d.Agreeing, 2)
		require.Len(t, d.Disagreeing, 1)
		// the disagreeing replica comes with its receipt, which verifies with its worker key
		dissent := d.Disagreeing[0]
		require.Equal(t, uint64(2), dissent.Lease.Id)
		require.NoError(t, dissent.Receipt.Verify(dissent.Provider.WorkerPubkey))
		require.Equal(t, wire.Hash(outB), dissent.Receipt.Receipt.OutputHash)
		require.Equal(t, dis, tally.Verdict(2))

		lines := strings.Join(tally.Lines(), "\n")
		require.Contains(t, lines, "lease 2, provider "+dissent.Lease.Provider+": output "+hexHash(outB)+" (ok): DISAGREES with the majority")
		require.Contains(t, lines, "lease 1, provider "+tally.Ballots[0].Lease.Provider+": output "+hexHash(outA)+" (ok): majority")
		require.Contains(t, lines, "majority output "+hexHash(outA)+" (ok), signed by 2 of the 3 replicas")
	})

	t.Run("one failed receipt and two agreeing", func(t *testing.T) {
		for name, failed := range map[string]customer.Ballot{
			"signed by another key":     forged(t, 2, outB),
			"output not the signed one": swapped(t, 2, outA, outB),
			"no answer":                 unanswered(2),
		} {
			t.Run(name, func(t *testing.T) {
				tally := vote(ok(t, 1, outA), failed, ok(t, 3, outA))
				require.NoError(t, tally.Err())
				require.Equal(t, outA, tally.Output)
				require.Equal(t, []customer.Verdict{maj, fail, maj}, verdicts(tally))
				require.Equal(t, [3]int{2, 2, 1}, [3]int{tally.Valid, tally.Agree, tally.Outcomes})
				require.Equal(t, 1, tally.Failed())
				require.Error(t, tally.Ballots[1].Err)
				// a failed replica is no vote, and no disagreement either
				require.Nil(t, tally.Disagreement())
				require.Contains(t, strings.Join(tally.Lines(), "\n"), "signed by 2 of the 2 replicas that answered with a valid receipt (1 failed)")
			})
		}
	})

	t.Run("a failed receipt cannot outvote", func(t *testing.T) {
		// two forged receipts for B do not make B the majority over one valid A
		tally := vote(ok(t, 1, outA), forged(t, 2, outB), forged(t, 3, outB))
		require.NoError(t, tally.Err())
		require.Equal(t, outA, tally.Output)
		require.Equal(t, []customer.Verdict{maj, fail, fail}, verdicts(tally))
		require.Contains(t, strings.Join(tally.Lines(), "\n"), "WARNING: only one replica answered")
	})

	t.Run("the status is part of the outcome", func(t *testing.T) {
		tally := vote(ok(t, 1, outA), answer(t, 2, outA, runtime.StatusExit), ok(t, 3, outA))
		require.Equal(t, []customer.Verdict{maj, dis, maj}, verdicts(tally))
		require.Contains(t, strings.Join(tally.Lines(), "\n"), "output "+hexHash(outA)+" (exit, exit code 3): DISAGREES")

		// a majority may be a failed run: its outcome is still the result
		tally = vote(answer(t, 1, outA, runtime.StatusTrap), answer(t, 2, outA, runtime.StatusTrap), ok(t, 3, outA))
		require.NoError(t, tally.Err())
		require.Equal(t, runtime.StatusTrap, tally.Majority.Status)
		require.Equal(t, []customer.Verdict{maj, maj, dis}, verdicts(tally))
	})
}

// Without an outcome signed by more than half of the valid receipts, there is no result: the tally's
// error is a *NoMajorityError and there is no output. Nothing is picked.
func TestVoteNoMajority(t *testing.T) {
	for _, c := range []struct {
		name            string
		ballots         []customer.Ballot
		verdicts        []customer.Verdict
		valid, outcomes int
		disagreeing     int
		msg             string
	}{
		{"1-1 on silver", []customer.Ballot{ok(t, 1, outA), ok(t, 2, outB)}, []customer.Verdict{none, none}, 2, 2, 2,
			"order 7: no majority: 2 of its 2 replicas answered with a valid receipt, with 2 different outputs"},
		{"1-1-1", []customer.Ballot{ok(t, 1, outA), ok(t, 2, outB), ok(t, 3, outC)}, []customer.Verdict{none, none, none}, 3, 3, 3,
			"3 of its 3 replicas answered with a valid receipt, with 3 different outputs"},
		{"1-1 and one failed", []customer.Ballot{ok(t, 1, outA), forged(t, 2, outA), ok(t, 3, outB)}, []customer.Verdict{none, fail, none}, 2, 2, 2,
			"2 of its 3 replicas answered with a valid receipt"},
		{"2-2", []customer.Ballot{ok(t, 1, outA), ok(t, 2, outB), ok(t, 3, outA), ok(t, 4, outB)}, []customer.Verdict{none, none, none, none}, 4, 2, 4,
			"4 of its 4 replicas answered with a valid receipt, with 2 different outputs"},
		{"all failed", []customer.Ballot{unanswered(1), forged(t, 2, outA), swapped(t, 3, outA, outB)}, []customer.Verdict{fail, fail, fail}, 0, 0, 0,
			"order 7: no majority: none of its 3 replicas answered with a valid receipt"},
	} {
		t.Run(c.name, func(t *testing.T) {
			tally := vote(c.ballots...)
			require.Nil(t, tally.Majority)
			require.Nil(t, tally.Output)
			require.Equal(t, c.verdicts, verdicts(tally))
			err := tally.Err()
			var noMajority *customer.NoMajorityError
			require.True(t, errors.As(err, &noMajority), "%v", err)
			require.Equal(t, customer.NoMajorityError{OrderID: voteOrder, Replicas: len(c.ballots), Valid: c.valid, Outcomes: c.outcomes}, *noMajority)
			require.ErrorContains(t, err, c.msg)
			// errors.As finds it through the joins Run adds
			require.True(t, errors.As(errors.Join(errors.New("lease 2: failed"), err), &noMajority))

			d := tally.Disagreement()
			if c.disagreeing == 0 {
				require.Nil(t, d, "failed replicas are no disagreement")
			} else {
				require.NotNil(t, d)
				require.Nil(t, d.Majority)
				require.Empty(t, d.Agreeing)
				require.Len(t, d.Disagreeing, c.disagreeing)
			}
			require.Contains(t, strings.Join(tally.Lines(), "\n"), "NO MAJORITY")
		})
	}
}

func hexHash(b []byte) string { return hex.EncodeToString(wire.Hash(b)) }
