package worker

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/pelletier/go-toml/v2"

	sdk "github.com/cosmos/cosmos-sdk/types"
	ma "github.com/multiformats/go-multiaddr"

	"github.com/fogchain/fog/offchain/anchor"
	"github.com/fogchain/fog/offchain/attest"
	"github.com/fogchain/fog/offchain/auditor"
	"github.com/fogchain/fog/offchain/bidengine"
	"github.com/fogchain/fog/offchain/runtime"
	"github.com/fogchain/fog/offchain/task"
	markettypes "github.com/fogchain/fog/x/market/types"
)

// ConfigFile is the worker's config file name, in its home.
const ConfigFile = "worker.toml"

// Limits bound every task the worker accepts.
type Limits struct {
	TaskTimeout        Duration `toml:"task_timeout"`
	MaxConcurrentTasks int      `toml:"max_concurrent_tasks"`
	MaxModuleBytes     int      `toml:"max_module_bytes"`
	MaxInputBytes      int      `toml:"max_input_bytes"`
	MaxOutputBytes     int      `toml:"max_output_bytes"`
}

// Runtime is the runtime's form of the limits, without memory: each task's memory limit is its
// order's (task.OrderLimits). Tasks and audits' re-executions run under these.
func (l Limits) Runtime() runtime.Limits {
	return runtime.Limits{Timeout: l.TaskTimeout.Duration, MaxModuleBytes: l.MaxModuleBytes,
		MaxInputBytes: l.MaxInputBytes, MaxOutputBytes: l.MaxOutputBytes}
}

// Sessions bound the task sessions customers open on /fog/session/1: with one signed grant, an
// order owner lets one of its peers send tasks on a lease without signing each (offchain/task).
type Sessions struct {
	// MaxTTL is the longest a session may last; a grant that ends later is refused.
	MaxTTL Duration `toml:"max_ttl"`
	// RecheckInterval is how old a session's view of its lease may grow before the worker reads the
	// lease again: a lease closed on chain may still be served for that long, at the worker's expense.
	RecheckInterval Duration `toml:"recheck_interval"`
	// MaxSessions held in all, MaxPerLease on one lease; expired ones are evicted first, and a grant
	// beyond either is refused.
	MaxSessions int `toml:"max_sessions"`
	MaxPerLease int `toml:"max_sessions_per_lease"`
}

// TaskLimits is the task server's form of the session bounds.
func (s Sessions) TaskLimits() task.SessionLimits {
	return task.SessionLimits{MaxTTL: s.MaxTTL.Duration, RecheckInterval: s.RecheckInterval.Duration, Max: s.MaxSessions, MaxPerLease: s.MaxPerLease}
}

// maxRecheckInterval bounds sessions.recheck_interval: how long a closed lease may still be served.
const maxRecheckInterval = 10 * time.Minute

// Verifier is the worker's part in x/quorum's verifier pool: audit committee duty.
type Verifier struct {
	// Join puts the provider into the verifier pool at start (MsgJoinVerifierPool, which locks the
	// pool's verifier deposit) unless it is in it. A provider in the pool is drawn into audit
	// committees; the worker serves that duty whatever Join says, since a member that does not vote
	// loses its deposit.
	Join bool `toml:"join"`
	// FetchTimeout bounds fetching an audited task's module and input from the audit's requester.
	FetchTimeout Duration `toml:"fetch_timeout"`
}

// maxFetchTimeout bounds verifier.fetch_timeout: the commit phase lasts only so many blocks.
const maxFetchTimeout = 10 * time.Minute

// Capacity is what the worker offers.
type Capacity struct {
	CPUMillicores uint64 `toml:"cpu_millicores"`
	MemoryMiB     uint64 `toml:"memory_mib"`
	StorageMiB    uint64 `toml:"storage_mib"`
	GPUs          uint32 `toml:"gpus"`
}

// Resources is the capacity as the market states resources.
func (c Capacity) Resources() markettypes.Resources {
	return markettypes.Resources{CpuMillicores: c.CPUMillicores, MemoryMib: c.MemoryMiB, StorageMib: c.StorageMiB, Gpus: c.GPUs}
}

// Duration is a time.Duration written as "10s" in TOML.
type Duration struct{ time.Duration }

// MarshalText writes the duration as Go does ("10s").
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText reads "10s", "1m30s", ...
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	d.Duration = v
	return err
}

// Config of a worker; loaded from worker.toml, overridable by flags, checked by Validate.
type Config struct {
	ChainID        string `toml:"chain_id"`
	RPC            string `toml:"rpc"`
	GRPC           string `toml:"grpc"`
	KeyName        string `toml:"key_name"`
	KeyringBackend string `toml:"keyring_backend"`
	KeyringDir     string `toml:"keyring_dir"`
	GasLimit       uint64 `toml:"gas_limit"`
	GasPrice       string `toml:"gas_price"`

	Listen      []string `toml:"listen"`
	Announce    []string `toml:"announce"`
	DataDir     string   `toml:"data_dir"`
	MetricsAddr string   `toml:"metrics_addr"`

	Capacity   Capacity            `toml:"capacity"`
	Attributes map[string]string   `toml:"attributes"`
	Pricing    bidengine.CostModel `toml:"pricing"`
	Policy     bidengine.Policy    `toml:"policy"`
	Limits     Limits              `toml:"limits"`
	Sessions   Sessions            `toml:"sessions"`
	Anchor     anchor.Schedule     `toml:"anchor"`
	Tee        attest.Config       `toml:"tee"`
	Observer   ObserverConfig      `toml:"observer"`
	Verifier   Verifier            `toml:"verifier"`

	// UnsafeInjectLatency delays each probe and task answer (fogd worker start
	// --unsafe-inject-latency); development networks only, never in worker.toml.
	UnsafeInjectLatency time.Duration `toml:"-"`

	// UnsafeWrongOutput (DEVELOPMENT ONLY, the flag --unsafe-wrong-output, never in worker.toml) makes
	// the worker cheat: it returns a wrong output for every task, with a receipt signed over that
	// wrong output (task.Config.UnsafeWrongOutput), so that an audit of its receipts fails.
	UnsafeWrongOutput bool `toml:"-"`
}

// DefaultConfig suits a worker next to a localnet node.
func DefaultConfig() Config {
	return Config{
		ChainID:        "fog-localnet",
		RPC:            "tcp://127.0.0.1:26657",
		GRPC:           "127.0.0.1:9090",
		KeyName:        "provider",
		KeyringBackend: "test",
		GasLimit:       400_000,
		GasPrice:       "0ufog",
		Listen:         []string{"/ip4/127.0.0.1/tcp/4001"},
		Announce:       []string{},
		DataDir:        "worker-data",
		MetricsAddr:    "127.0.0.1:9464",
		Capacity:       Capacity{CPUMillicores: 4000, MemoryMiB: 8192, StorageMiB: 100_000},
		Attributes:     map[string]string{},
		Pricing: bidengine.CostModel{
			Denom: "ufog", BasePerBlock: "1", PerMilliCPU: "0.002", PerMiBMemory: "0.001",
			PerMiBDisk: "0", PerGPU: "10", Margin: "1.2",
		},
		Policy:   bidengine.Policy{Owners: []string{}, WithdrawEvery: 10},
		Anchor:   anchor.DefaultSchedule(),
		Tee:      attest.DefaultConfig(),
		Verifier: Verifier{Join: false, FetchTimeout: Duration{auditor.DefaultFetchTimeout}},
		Limits:   Limits{TaskTimeout: Duration{10 * time.Second}, MaxConcurrentTasks: 8, MaxModuleBytes: 64 << 20, MaxInputBytes: 16 << 20, MaxOutputBytes: 16 << 20},
		Sessions: func() Sessions {
			d := task.DefaultSessionLimits()
			return Sessions{MaxTTL: Duration{d.MaxTTL}, RecheckInterval: Duration{d.RecheckInterval}, MaxSessions: d.Max, MaxPerLease: d.MaxPerLease}
		}(),
		Observer: DefaultObserverConfig(),
	}
}

// Validate checks everything a worker needs before it starts, with messages that say what to fix.
func (c Config) Validate() error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if c.ChainID == "" {
		add("chain_id is empty")
	}
	if c.RPC == "" || c.GRPC == "" {
		add("rpc and grpc must name the node's CometBFT RPC and gRPC addresses")
	}
	if c.KeyName == "" {
		add("key_name is empty: name the provider's key in the keyring")
	}
	if _, err := sdk.ParseDecCoins(c.GasPrice); err != nil {
		add("gas_price %q: %v", c.GasPrice, err)
	}
	if len(c.Listen) == 0 {
		add("listen is empty: the worker needs a libp2p address customers can reach")
	}
	for _, a := range append(append([]string{}, c.Listen...), c.Announce...) {
		if _, err := ma.NewMultiaddr(a); err != nil {
			add("listen/announce %q: %v", a, err)
		}
	}
	if err := c.Anchor.Validate(); err != nil {
		errs = append(errs, err)
	}
	if c.DataDir == "" {
		add("data_dir is empty")
	}
	if c.Capacity.CPUMillicores == 0 || c.Capacity.MemoryMiB == 0 {
		add("capacity needs cpu_millicores and memory_mib")
	}
	if err := c.Pricing.Validate(); err != nil {
		add("pricing: %v", err)
	}
	for _, t := range c.Policy.Tiers {
		if _, err := markettypes.ParseTier(t); err != nil {
			add("policy.tiers: %v", err)
		}
	}
	for _, p := range c.Policy.Privacy {
		if _, err := markettypes.ParsePrivacy(p); err != nil {
			add("policy.privacy: %v", err)
		}
	}
	for i, o := range c.Policy.Owners {
		// the chain stores owners in canonical form, so that is what the policy must hold
		addr, err := sdk.AccAddressFromBech32(o)
		if err != nil {
			add("policy.owners[%d]: %v", i, err)
		} else if addr.String() != o {
			add("policy.owners[%d]: write the address in lower case (%s)", i, addr.String())
		}
	}
	if c.Limits.TaskTimeout.Duration <= 0 || c.Limits.MaxConcurrentTasks <= 0 || c.Limits.MaxModuleBytes <= 0 || c.Limits.MaxInputBytes < 0 || c.Limits.MaxOutputBytes <= 0 {
		add("limits: task_timeout, max_concurrent_tasks, max_module_bytes and max_output_bytes must be positive")
	}
	if c.Sessions.MaxTTL.Duration < time.Second {
		add("sessions.max_ttl %s: must be at least 1s (the longest a customer's task session may last, e.g. \"24h\")", c.Sessions.MaxTTL)
	}
	if c.Sessions.RecheckInterval.Duration <= 0 || c.Sessions.RecheckInterval.Duration > maxRecheckInterval {
		add("sessions.recheck_interval %s: must be positive and at most %s (a lease closed on chain is still served for up to this long)", c.Sessions.RecheckInterval, maxRecheckInterval)
	}
	if c.Sessions.MaxSessions <= 0 || c.Sessions.MaxPerLease <= 0 || c.Sessions.MaxPerLease > c.Sessions.MaxSessions {
		add("sessions: max_sessions and max_sessions_per_lease must be positive, and max_sessions_per_lease at most max_sessions (got %d and %d)", c.Sessions.MaxSessions, c.Sessions.MaxPerLease)
	}
	if !slices.Contains(attest.Types, c.Tee.Type) {
		add("tee.type %q: want none, auto, sev-snp, tdx, or on development networks simulated, test-sev-snp or test-tdx", c.Tee.Type)
	}
	if c.Tee.Type == attest.TypeSimulated && c.Tee.SimulatedDevice == "" {
		add("tee: type = \"simulated\" needs simulated_device, a device file written by `fogd tee sim-device`")
	}
	if c.Tee.Enabled() && c.Tee.RenewBeforeBlocks <= 0 {
		add("tee.renew_before_blocks must be positive")
	}
	if d := c.Verifier.FetchTimeout.Duration; d <= 0 || d > maxFetchTimeout {
		add("verifier.fetch_timeout %s: must be positive and at most %s (an audit's module and input must arrive within its commit phase)", c.Verifier.FetchTimeout, maxFetchTimeout)
	}
	if err := c.Observer.Validate(); err != nil {
		errs = append(errs, err)
	}
	if err := c.validateUnsafe(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// Resolve makes relative directories relative to the worker's home.
func (c Config) Resolve(home string) Config {
	if !filepath.IsAbs(c.DataDir) {
		c.DataDir = filepath.Join(home, c.DataDir)
	}
	if c.KeyringDir == "" {
		c.KeyringDir = home
	} else if !filepath.IsAbs(c.KeyringDir) {
		c.KeyringDir = filepath.Join(home, c.KeyringDir)
	}
	if c.Tee.SimulatedDevice != "" && !filepath.IsAbs(c.Tee.SimulatedDevice) {
		c.Tee.SimulatedDevice = filepath.Join(home, c.Tee.SimulatedDevice)
	}
	return c
}

// LoadConfig reads home/worker.toml; unknown keys are errors, so typos do not pass silently.
func LoadConfig(home string) (Config, error) {
	path := filepath.Join(home, ConfigFile)
	bz, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("reading %s (run `fogd worker init` first?): %w", path, err)
	}
	cfg := DefaultConfig()
	dec := toml.NewDecoder(bytes.NewReader(bz))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&cfg); err != nil {
		var strict *toml.StrictMissingError
		if errors.As(err, &strict) && hasTable(bz, "anchoring") {
			return Config{}, fmt.Errorf("%s: [anchoring] (every_receipts, every_blocks) was replaced by [anchor]: max_batch = %d and max_age = %q (a duration, or a block count such as \"20 blocks\")",
				path, DefaultConfig().Anchor.MaxBatch, DefaultConfig().Anchor.MaxAge.String())
		}
		if errors.As(err, &strict) {
			return Config{}, fmt.Errorf("%s: unknown keys (typos?):\n%s", path, strict.String())
		}
		return Config{}, fmt.Errorf("%s: %w", path, err)
	}
	return cfg, nil
}

// hasTable tells whether a TOML document has a top-level table of that name.
func hasTable(doc []byte, name string) bool {
	var tables map[string]any
	if toml.Unmarshal(doc, &tables) != nil {
		return false
	}
	_, ok := tables[name]
	return ok
}

// WriteConfig writes a commented worker.toml into home; it refuses to overwrite one.
func WriteConfig(home string, c Config) (string, error) {
	path := filepath.Join(home, ConfigFile)
	if _, err := os.Stat(path); err == nil {
		return path, fmt.Errorf("%s exists; edit it or remove it first", path)
	}
	if err := os.MkdirAll(home, 0o700); err != nil {
		return path, err
	}
	body, err := toml.Marshal(c)
	if err != nil {
		return path, err
	}
	return path, os.WriteFile(path, append([]byte(configHeader), annotate(body)...), 0o600)
}

const configHeader = `# fogd worker configuration. Start the worker with: fogd worker start --home <this directory>
# Flags of 'fogd worker start' override these values.

`

// comments explain each key of the generated file.
var comments = map[string]string{
	"chain_id":               "chain the worker serves",
	"rpc":                    "node CometBFT RPC (blocks, broadcasting)",
	"grpc":                   "node gRPC (queries)",
	"key_name":               "provider key in the keyring; it signs the worker's transactions",
	"keyring_backend":        "os | file | test",
	"keyring_dir":            "keyring directory; empty = the worker home",
	"gas_limit":              "gas per transaction",
	"gas_price":              "fee per unit of gas",
	"listen":                 "libp2p listen multiaddrs; they are registered on chain for customers",
	"data_dir":               "worker key, bid secrets, order state, receipts and audit votes (relative to the home; not the node's data/)",
	"announce":               "multiaddrs to register on chain instead of the listen addresses (e.g. a public address); empty = the listen addresses",
	"max_concurrent_tasks":   "tasks run at once; more wait",
	"metrics_addr":           "Prometheus /metrics listen address; empty = off",
	"[capacity]":             "what the worker offers; open bids and leases reserve from it",
	"[pricing]":              "cost model: price per block = (base + per-resource costs) × margin, rounded up",
	"[policy]":               "which orders to bid on (empty lists = all)",
	"[limits]":               "bounds on every task (memory comes from the order)",
	"[sessions]":             "task sessions (/fog/session/1): an order owner's one signed grant lets one of its peers send tasks on a lease without signing each",
	"max_ttl":                "the longest a session may last; longer grants are refused",
	"recheck_interval":       "how old a session's view of its lease may grow before the lease is read again from the node; a closed lease may be served for this long",
	"max_sessions":           "sessions held in all (expired ones are evicted first; beyond, grants are refused)",
	"max_sessions_per_lease": "sessions held for one lease",
	"[anchor]":               "when a lease's receipts are anchored on chain (also at once when the lease closes)",
	"max_batch":              "anchor as soon as this many receipts of a lease wait (receipts per batch)",
	"max_age":                "or once the oldest waiting receipt is this old: a duration (\"30s\") or a block count (\"20 blocks\")",
	"[attributes]":           "self-declared provider attributes, e.g. region = \"eu-west\"",
	"withdraw_every_blocks":  "blocks between withdrawals of an active lease's payments",
	"owners":                 "bid only on orders of these accounts (fog1...); empty = anyone's",
	"[tee]":                  "TEE attestation of this worker in x/tee; orders that require a TEE are bid on only while it is valid",
	"type":                   "none (no attestation) | auto (detect SEV-SNP or TDX) | sev-snp | tdx; development networks only: simulated | test-sev-snp | test-tdx (evidence signed by published test keys; see x/tee/README.md)",
	"simulated_device":       "type = simulated: the device file written by `fogd tee sim-device` (relative to the home)",
	"renew_before_blocks":    "attest again when the enclave record expires within this many blocks",
	"[verifier]":             "x/quorum's verifier pool: audit committee duty (re-executing audited receipts, voting by commit and reveal) is served whenever the provider is drawn",
	"join":                   "join the verifier pool at start if the provider is not in it (locks the verifier deposit; a drawn member that does not vote loses it)",
	"fetch_timeout":          "how long fetching an audited task's module and input from the audit's requester may take",
}

func annotate(body []byte) []byte {
	var out bytes.Buffer
	for _, line := range bytes.Split(body, []byte("\n")) {
		key := string(bytes.TrimSpace(line))
		if i := bytes.IndexByte(line, '='); i > 0 {
			key = string(bytes.TrimSpace(line[:i]))
		}
		if c, ok := comments[key]; ok {
			out.WriteString("# " + c + "\n")
		}
		out.Write(line)
		out.WriteString("\n")
	}
	return bytes.TrimRight(out.Bytes(), "\n")
}
