// Package multinode proves that a fog network of several validators survives crashes. Its tests
// start real `fogd` processes (real CometBFT, real signatures, real disks) as four equal-power
// validators on loopback ports, keep a load of market transactions and bank transfers running from
// several accounts against whichever nodes are up, kill validators with SIGKILL (a crash, no clean
// shutdown) and restart them, and check what a network must guarantee:
//
//   - with one validator of four down the chain keeps making blocks, and every transaction the
//     chain confirmed (in a block, code 0) is in the state of every surviving node: the provider,
//     the order, the sealed bid and its reveal, the exact balances of the transfers, and the market
//     module's solvency (its balance equals the escrow, deposits and bonds its records hold);
//   - with two down the chain halts: the live nodes sit at the next height for several full rounds
//     of timeouts without committing, agree on the last block (no fork), and the first block after
//     the restart is signed by a restarted validator and timed after the restart;
//   - restarted validators bring the chain back, and all four report identical block hashes, app
//     hashes in the headers, and app hashes computed by their own FinalizeBlock at every height;
//   - a validator that was down while the others made 20+ blocks catches up by block sync;
//   - a provider's worker killed between its commit and the reveal phase reveals after its restart,
//     from the sealed bid it saved on disk, and loses no deposit.
//
// The tests never assume that a number of seconds or blocks is enough: they wait for heights,
// deadlines, consensus states and transactions the chain reports. `go test ./tests/multinode/` runs
// the short case (one validator down and back); `go test -tags long ./tests/multinode/` adds the
// whole fault suite (make test-long).
package multinode
