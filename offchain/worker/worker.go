// Package worker composes the provider's off-chain services: chain client, registration, TEE
// attestation, bid engine, WASM runtime, the /fog/task/1 server over libp2p, payments and metrics.
package worker

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/libp2p/go-libp2p"
	p2pcrypto "github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/cosmos/cosmos-sdk/client"
	"github.com/cosmos/cosmos-sdk/crypto/keyring"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/fogchain/fog/offchain/anchor"
	"github.com/fogchain/fog/offchain/attest"
	"github.com/fogchain/fog/offchain/auditor"
	"github.com/fogchain/fog/offchain/bidengine"
	"github.com/fogchain/fog/offchain/chain"
	"github.com/fogchain/fog/offchain/runtime"
	"github.com/fogchain/fog/offchain/task"
	markettypes "github.com/fogchain/fog/x/market/types"
)

// Service is a part of the worker with a lifetime.
type Service interface {
	Start(ctx context.Context) error
	Stop()
}

// Worker is one provider's worker process.
type Worker struct {
	cfg     Config
	cctx    client.Context
	log     *slog.Logger
	Metrics *Metrics

	key      ed25519.PrivateKey
	Chain    *chain.Client
	Host     host.Host
	Runtime  *runtime.Runtime
	Engine   *bidengine.Engine
	Anchorer *anchor.Anchorer
	// Attester keeps the x/tee enclave record valid; nil when [tee] type is none.
	Attester *attest.Attester
	// Auditor serves the provider's audit committee duty.
	Auditor *auditor.Service

	started []Service
}

// New prepares a worker from a resolved, valid config and the CLI's client context.
func New(cfg Config, cctx client.Context, log *slog.Logger) (*Worker, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("invalid worker config:\n%w", err)
	}
	return &Worker{cfg: cfg, cctx: cctx, log: log, Metrics: NewMetrics()}, nil
}

// LoadOrCreateKey reads the worker's ed25519 key from dataDir, creating it on first start. The same
// key signs receipts and is the worker's libp2p identity, so its peer id and worker key always match.
func LoadOrCreateKey(dataDir string) (ed25519.PrivateKey, error) {
	path := filepath.Join(dataDir, "worker_key")
	bz, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		if err := os.MkdirAll(dataDir, 0o700); err != nil {
			return nil, err
		}
		_, priv, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return nil, err
		}
		if err := os.WriteFile(path, []byte(hex.EncodeToString(priv.Seed())+"\n"), 0o600); err != nil {
			return nil, err
		}
		return priv, nil
	} else if err != nil {
		return nil, err
	}
	seed, err := hex.DecodeString(strings.TrimSpace(string(bz)))
	if err != nil || len(seed) != ed25519.SeedSize {
		return nil, fmt.Errorf("%s: not a hex ed25519 seed", path)
	}
	return ed25519.NewKeyFromSeed(seed), nil
}

// PeerID is the libp2p peer id of an ed25519 worker key.
func PeerID(key ed25519.PrivateKey) (peer.ID, error) {
	pk, err := p2pcrypto.UnmarshalEd25519PublicKey(key.Public().(ed25519.PublicKey))
	if err != nil {
		return "", err
	}
	return peer.IDFromPublicKey(pk)
}

// svc adapts start/stop functions to a Service.
type svc struct {
	start func(context.Context) error
	stop  func()
}

func (s svc) Start(ctx context.Context) error { return s.start(ctx) }
func (s svc) Stop()                           { s.stop() }

// Start starts every service in order; if one fails, the started ones are stopped again.
func (w *Worker) Start(ctx context.Context) error {
	var err error
	if w.key, err = LoadOrCreateKey(w.cfg.DataDir); err != nil {
		return err
	}
	// The TEE backend first: a machine that is not the TEE the config names fails before anything starts.
	backend, err := attest.NewBackend(w.cfg.Tee)
	if err != nil {
		return fmt.Errorf("tee: %w", err)
	}
	if t := w.cfg.Tee.Type; t == attest.TypeTestSevSnp || t == attest.TypeTestTdx {
		w.log.Warn("DEVELOPMENT ONLY: this worker attests with evidence signed by published test keys; a chain accepts it only if its genesis trusts the test roots",
			"tee_type", t)
	}
	if d := w.cfg.UnsafeInjectLatency; d > 0 {
		w.log.Warn("DEVELOPMENT ONLY: --unsafe-inject-latency delays every probe and task answer of this worker; SLA observers will measure it slow",
			"latency", d)
	}
	if w.cfg.UnsafeWrongOutput {
		w.log.Warn("DEVELOPMENT ONLY: --unsafe-wrong-output: this worker returns a WRONG output for every task and signs receipts over it; an audit of any of its receipts fails and slashes the lease bond")
	}
	kr, err := keyring.New(sdk.KeyringServiceName(), w.cfg.KeyringBackend, w.cfg.KeyringDir, os.Stdin, w.cctx.Codec)
	if err != nil {
		return fmt.Errorf("keyring: %w", err)
	}
	w.Chain, err = chain.New(w.cctx, kr, chain.Config{
		RPC: w.cfg.RPC, GRPC: w.cfg.GRPC, ChainID: w.cfg.ChainID, KeyName: w.cfg.KeyName,
		GasLimit: w.cfg.GasLimit, GasPrice: w.cfg.GasPrice,
	}, w.Metrics, w.log.With("service", "chain"))
	if err != nil {
		return err
	}
	receipts, err := task.OpenReceiptStore(filepath.Join(w.cfg.DataDir, "receipts"))
	if err != nil {
		return err
	}
	services := []Service{
		svc{start: func(context.Context) error { return nil }, stop: func() { _ = receipts.Close() }},
		w.Chain,
		svc{start: func(ctx context.Context) (err error) {
			w.Runtime, err = runtime.New(ctx)
			return err
		}, stop: func() { _ = w.Runtime.Close(context.Background()) }},
		svc{start: w.startHost, stop: func() { _ = w.Host.Close() }},
		svc{start: w.register, stop: func() {}},
		svc{start: func(ctx context.Context) error {
			if backend == nil {
				return nil
			}
			w.Attester = attest.NewAttester(w.Chain, backend, w.key.Public().(ed25519.PublicKey), w.cfg.Tee, w.Metrics, w.log.With("service", "tee"))
			return startAs(ctx, w.Attester, &w.started)
		}, stop: func() {}},
		svc{start: func(ctx context.Context) error {
			srv := task.NewServer(task.Config{
				ChainID: w.cfg.ChainID, Provider: w.Chain.Address().String(), Key: w.key,
				MaxConcurrent: w.cfg.Limits.MaxConcurrentTasks, AttestationHash: w.Attester.EvidenceHash,
				Sessions: w.cfg.Sessions.TaskLimits(), InjectLatency: w.cfg.UnsafeInjectLatency, Limits: w.cfg.Limits.Runtime(),
				UnsafeWrongOutput: w.cfg.UnsafeWrongOutput,
			}, w.Host, w.Chain, w.Runtime, receipts, w.Metrics, w.log.With("service", "task"))
			return startAs(ctx, srv, &w.started)
		}, stop: func() {}},
		svc{start: func(ctx context.Context) error {
			var err error
			if w.Anchorer, err = anchor.New(w.Chain, receipts, w.cfg.Anchor, w.cfg.DataDir, w.log.With("service", "anchor")); err != nil {
				return err
			}
			if err := w.Anchorer.Start(ctx); err != nil {
				return err
			}
			w.Anchorer.Serve(w.Host)
			return nil
		}, stop: func() { w.Anchorer.Unserve(w.Host); w.Anchorer.Stop() }},
		svc{start: func(ctx context.Context) (err error) {
			var tee bidengine.Attestation
			if w.Attester != nil {
				tee = w.Attester
			}
			w.Engine, err = bidengine.New(w.Chain, tee, w.cfg.Pricing, w.cfg.Policy, w.cfg.Capacity.Resources(),
				w.cfg.DataDir, w.Metrics, w.log.With("service", "bids"))
			if err != nil {
				return err
			}
			return startAs(ctx, w.Engine, &w.started)
		}, stop: func() {}},
		svc{start: func(ctx context.Context) (err error) {
			w.Auditor, err = auditor.New(w.Chain, w.Host, w.Runtime, auditor.Config{
				Join: w.cfg.Verifier.Join, Limits: w.cfg.Limits.Runtime(), FetchTimeout: w.cfg.Verifier.FetchTimeout.Duration,
			}, w.cfg.DataDir, w.log.With("service", "audit"))
			if err != nil {
				return err
			}
			return startAs(ctx, w.Auditor, &w.started)
		}, stop: func() {}},
	}
	services = append(services, w.slaServices()...)
	if w.cfg.MetricsAddr != "" {
		services = append(services, &metricsServer{addr: w.cfg.MetricsAddr, reg: w.Metrics.Registry, log: w.log})
	}
	for _, s := range services {
		if err := s.Start(ctx); err != nil {
			w.Stop()
			return err
		}
		w.started = append(w.started, s)
	}
	w.log.Info("worker started", "provider", w.Chain.Address().String(), "peer", w.Host.ID(), "addrs", w.Host.Addrs())
	if s, err := w.Chain.ReputationScore(ctx, w.Chain.Address().String()); err == nil {
		w.Metrics.Reputation(s)
		w.log.Info("reputation", "tier", s.Tier.Short(), "mean", s.Mean, "lower_bound", s.LowerBound, "alpha", s.Alpha, "beta", s.Beta, "outcomes", s.Outcomes)
	} else {
		w.log.Warn("reading own reputation", "err", err)
	}
	return nil
}

// startAs starts s and records it so that Stop stops it (services built during start-up).
func startAs(ctx context.Context, s Service, started *[]Service) error {
	if err := s.Start(ctx); err != nil {
		return err
	}
	*started = append(*started, s)
	return nil
}

// Stop stops the started services in reverse order.
func (w *Worker) Stop() {
	for i := len(w.started) - 1; i >= 0; i-- {
		w.started[i].Stop()
	}
	w.started = nil
}

func (w *Worker) startHost(context.Context) error {
	id, err := p2pcrypto.UnmarshalEd25519PrivateKey(w.key)
	if err != nil {
		return err
	}
	opts, err := task.HostOptions()
	if err != nil {
		return err
	}
	w.Host, err = libp2p.New(append(opts, libp2p.Identity(id), libp2p.ListenAddrStrings(w.cfg.Listen...))...)
	if err != nil {
		return fmt.Errorf("libp2p host on %v: %w", w.cfg.Listen, err)
	}
	return nil
}

// register puts the worker's peer id, addresses, key, capacity and attributes on chain, updating the
// provider record when it differs.
func (w *Worker) register(ctx context.Context) error {
	peerID := w.Host.ID().String()
	addrs := append([]string{}, w.cfg.Announce...)
	if len(addrs) == 0 {
		for _, a := range w.Host.Addrs() {
			addrs = append(addrs, a.String())
		}
	}
	sort.Strings(addrs)
	params, err := w.Chain.Market.Params(ctx, &markettypes.QueryParamsRequest{})
	if err != nil {
		return fmt.Errorf("reading market params: %w", err)
	}
	if limit := int(params.Params.MaxMultiaddrs); len(addrs) > limit {
		w.log.Warn("more listen addresses than the chain accepts; set announce in worker.toml", "registering", addrs[:limit], "dropped", addrs[limit:])
		addrs = addrs[:limit]
	}
	keys := make([]string, 0, len(w.cfg.Attributes))
	for k := range w.cfg.Attributes {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	attrs := make([]markettypes.Attribute, 0, len(keys))
	for _, k := range keys {
		attrs = append(attrs, markettypes.Attribute{Key: k, Value: w.cfg.Attributes[k]})
	}
	pub := []byte(w.key.Public().(ed25519.PublicKey))
	capacity := w.cfg.Capacity.Resources()
	self := w.Chain.Address().String()

	existing, found, err := w.Chain.Provider(ctx, self)
	if err != nil {
		return err
	}
	if found && existing.PeerId == peerID && slices.Equal(existing.Multiaddrs, addrs) &&
		string(existing.WorkerPubkey) == string(pub) && existing.Capacity == capacity && slices.Equal(existing.Attributes, attrs) {
		w.log.Info("provider registration is up to date", "provider", self)
		return nil
	}
	var msg sdk.Msg = &markettypes.MsgRegisterProvider{Owner: self, PeerId: peerID, Multiaddrs: addrs, WorkerPubkey: pub, Capacity: capacity, Attributes: attrs}
	if found {
		msg = &markettypes.MsgUpdateProvider{Owner: self, PeerId: peerID, Multiaddrs: addrs, WorkerPubkey: pub, Capacity: capacity, Attributes: attrs}
	}
	if _, err := w.Chain.Broadcast(ctx, msg); err != nil {
		return fmt.Errorf("registering provider %s: %w", self, err)
	}
	w.log.Info("provider registered", "provider", self, "peer", peerID, "addrs", addrs, "updated", found)
	return nil
}
