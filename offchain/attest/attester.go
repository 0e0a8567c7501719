package attest

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"log/slog"
	"sync"

	ctypes "github.com/cometbft/cometbft/rpc/core/types"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/fogchain/fog/offchain/chain"
	teetypes "github.com/fogchain/fog/x/tee/types"
)

// Chain is what the attestation service needs from the node (offchain/chain.Client).
type Chain interface {
	Address() sdk.AccAddress
	Height(ctx context.Context) (int64, error)
	Subscribe(ctx context.Context, filter chain.Filter) <-chan chain.Event
	Broadcast(ctx context.Context, msgs ...sdk.Msg) (*ctypes.ResultTx, error)
	Enclave(ctx context.Context, provider string) (teetypes.QueryEnclaveResponse, bool, error)
	TeeNonce(ctx context.Context) (teetypes.Nonce, error)
	TeeParams(ctx context.Context) (teetypes.Params, error)
}

// Observer is told the expiry height of the enclave record (metrics).
type Observer interface {
	EnclaveExpiry(height int64)
}

// checkEvery is how many blocks pass between reads of the provider's enclave record.
const checkEvery = 10

// Attester keeps the provider's enclave record valid for the worker's key: at start and then every
// few blocks it reads the record, and when there is none that binds the worker key and the backend's
// TEE type (and measurement, when the backend knows it), or it expires within renew_before_blocks, it
// submits fresh evidence.
type Attester struct {
	chain       Chain
	backend     Backend
	workerKey   []byte
	renewBefore int64
	every       int64
	obs         Observer
	log         *slog.Logger

	mu        sync.Mutex
	enclave   teetypes.Enclave // the provider's record, if it binds workerKey
	has       bool
	height    int64 // latest height seen
	lastCheck int64

	cancel context.CancelFunc
	done   chan struct{}
}

// NewAttester builds the service for a backend and the worker's ed25519 public key.
func NewAttester(chain Chain, backend Backend, workerKey []byte, cfg Config, obs Observer, log *slog.Logger) *Attester {
	renew := cfg.RenewBeforeBlocks
	if renew <= 0 {
		renew = DefaultConfig().RenewBeforeBlocks
	}
	return &Attester{chain: chain, backend: backend, workerKey: workerKey, renewBefore: renew, obs: obs, log: log}
}

// Start reads the record and attests if needed, then follows new blocks. A refused or failed
// attestation is logged and tried again later: the worker still serves orders that need no TEE.
func (a *Attester) Start(ctx context.Context) error {
	if p, err := a.chain.TeeParams(ctx); err != nil {
		return fmt.Errorf("reading tee params: %w", err)
	} else if a.renewBefore >= p.ValidityBlocks {
		a.log.Warn("renew_before_blocks is not below the chain's validity_blocks; renewing at half the validity instead",
			"renew_before_blocks", a.renewBefore, "validity_blocks", p.ValidityBlocks)
		a.renewBefore = max(1, p.ValidityBlocks/2)
	}
	// Renewals are tried at least twice within the renewal window.
	a.every = min(checkEvery, max(1, a.renewBefore/2))
	h, err := a.chain.Height(ctx)
	if err != nil {
		return err
	}
	if err := a.Step(ctx, h); err != nil && ctx.Err() == nil {
		a.log.Warn("attesting", "err", err, "retry_in_blocks", a.every)
	}
	ctx, a.cancel = context.WithCancel(ctx)
	a.done = make(chan struct{})
	go func() {
		defer close(a.done)
		// heights only: the record is read again every few blocks whatever happened
		for ev := range a.chain.Subscribe(ctx, nil) {
			if err := a.Step(ctx, ev.Height); err != nil && ctx.Err() == nil {
				a.log.Warn("attesting", "err", err, "retry_in_blocks", a.every)
			}
		}
	}()
	return nil
}

// Stop stops following the chain.
func (a *Attester) Stop() {
	if a.cancel != nil {
		a.cancel()
		<-a.done
	}
}

// Step checks the record at height h, at most once every few blocks, and attests if it is missing,
// stale or expiring within renew_before_blocks.
func (a *Attester) Step(ctx context.Context, h int64) error {
	a.mu.Lock()
	a.height = max(a.height, h)
	due := a.lastCheck == 0 || h-a.lastCheck >= max(a.every, 1)
	if due {
		a.lastCheck = h
	}
	a.mu.Unlock()
	if !due {
		return nil
	}
	self := a.chain.Address().String()
	res, found, err := a.chain.Enclave(ctx, self)
	if err != nil {
		return fmt.Errorf("reading the enclave record: %w", err)
	}
	e := res.Enclave
	if found && bytes.Equal(e.WorkerPubkey, a.workerKey) {
		first := !a.holds(e)
		a.set(e)
		if a.current(e) && e.ExpiryHeight-h > a.renewBefore {
			if first {
				a.log.Info("attestation is current", "type", e.TeeType.Short(), "measurement", e.Measurement,
					"expiry_height", e.ExpiryHeight, "evidence_hash", hex.EncodeToString(e.EvidenceHash))
			}
			return nil
		}
	} else {
		// none, or one binding another worker key (the provider registered a new key)
		a.mu.Lock()
		a.enclave, a.has = teetypes.Enclave{}, false
		a.mu.Unlock()
	}
	return a.attest(ctx)
}

// current tells whether a record is what this worker would attest to now.
func (a *Attester) current(e teetypes.Enclave) bool {
	m := a.backend.Measurement()
	return e.TeeType == a.backend.Type() && (m == nil || e.Measurement == teetypes.MeasurementHex(m))
}

func (a *Attester) holds(e teetypes.Enclave) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.has && bytes.Equal(a.enclave.EvidenceHash, e.EvidenceHash)
}

func (a *Attester) set(e teetypes.Enclave) {
	a.mu.Lock()
	a.enclave, a.has = e, true
	a.mu.Unlock()
	if a.obs != nil {
		a.obs.EnclaveExpiry(e.ExpiryHeight)
	}
}

// attest binds the newest recorded block hash, gets evidence from the backend and submits it.
func (a *Attester) attest(ctx context.Context) error {
	nonce, err := a.chain.TeeNonce(ctx)
	if err != nil {
		return fmt.Errorf("reading a nonce: %w", err)
	}
	provider := a.chain.Address()
	evidence, err := a.backend.Evidence(teetypes.ReportData(provider, a.workerKey, nonce.Hash))
	if err != nil {
		return err
	}
	if _, err := a.chain.Broadcast(ctx, &teetypes.MsgSubmitAttestation{
		Provider: provider.String(), TeeType: a.backend.Type(), Evidence: evidence, NonceHeight: nonce.Height, WorkerPubkey: a.workerKey,
	}); err != nil {
		return fmt.Errorf("submitting %s evidence: %w", a.backend.Type().Short(), err)
	}
	res, found, err := a.chain.Enclave(ctx, provider.String())
	if err != nil {
		return fmt.Errorf("reading the enclave record: %w", err)
	}
	e := res.Enclave
	if !found || !bytes.Equal(e.WorkerPubkey, a.workerKey) {
		return fmt.Errorf("attestation included, but the chain has no enclave record for this worker key")
	}
	a.set(e)
	a.log.Info("attested", "type", e.TeeType.Short(), "measurement", e.Measurement,
		"expiry_height", e.ExpiryHeight, "evidence_hash", hex.EncodeToString(e.EvidenceHash), "nonce_height", nonce.Height)
	return nil
}

// Enclave is the provider's enclave record that binds this worker's key, and whether it is valid at
// height h. A nil Attester (no [tee]) has none.
func (a *Attester) Enclave(h int64) (teetypes.Enclave, bool) {
	if a == nil {
		return teetypes.Enclave{}, false
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.enclave, a.has && a.enclave.ExpiryHeight > h
}

// EvidenceHash is the evidence hash of the record if it is valid at the latest height seen, else
// nil: what receipts carry as attestation_hash.
func (a *Attester) EvidenceHash() []byte {
	if a == nil {
		return nil
	}
	a.mu.Lock()
	h := a.height
	a.mu.Unlock()
	if e, ok := a.Enclave(h); ok {
		return e.EvidenceHash
	}
	return nil
}
