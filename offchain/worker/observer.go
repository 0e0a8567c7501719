package worker

import (
	"context"
	"fmt"
	"maps"
	"path/filepath"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/fogchain/fog/offchain/observer"
	"github.com/fogchain/fog/offchain/probe"
)

// ObserverConfig is worker.toml's [observer]: the SLA observer duty (offchain/observer). When the
// chain draws this worker's provider as an observer of a watched lease, the worker probes the
// lease's provider and reports each window's results on chain.
type ObserverConfig struct {
	Enabled bool `toml:"enabled"`
	// ProbeInterval: one probe of each watched provider per interval while a window runs.
	ProbeInterval Duration `toml:"probe_interval"`
	// ProbeTimeout: a probe not answered within it counts as sent and not answered.
	ProbeTimeout Duration `toml:"probe_timeout"`
}

// minProbeInterval bounds observer.probe_interval from below: faster probing measures nothing more
// and loads the watched worker.
const minProbeInterval = 10 * time.Millisecond

// maxProbeTimeout bounds observer.probe_timeout.
const maxProbeTimeout = time.Minute

// maxProbesInFlight bounds probe_timeout / probe_interval, the most probes of one watch in flight at
// once: a watched worker's libp2p resource manager accepts at least 64 inbound streams of one
// protocol from one peer, and streams beyond it would be reset, counting as unanswered probes that
// measured the observer's own probing.
const maxProbesInFlight = 50

// DefaultObserverConfig: off; when turned on, five probes a second, each given 5 s.
func DefaultObserverConfig() ObserverConfig {
	return ObserverConfig{ProbeInterval: Duration{200 * time.Millisecond}, ProbeTimeout: Duration{5 * time.Second}}
}

// Validate checks the [observer] section (also when it is off, so that turning it on later does not
// meet a bad value).
func (c ObserverConfig) Validate() error {
	if c.ProbeInterval.Duration < minProbeInterval {
		return fmt.Errorf("observer.probe_interval %s: must be at least %s", c.ProbeInterval, minProbeInterval)
	}
	if c.ProbeTimeout.Duration <= 0 || c.ProbeTimeout.Duration > maxProbeTimeout {
		return fmt.Errorf("observer.probe_timeout %s: must be positive and at most %s", c.ProbeTimeout, maxProbeTimeout)
	}
	if c.ProbeTimeout.Duration > maxProbesInFlight*c.ProbeInterval.Duration {
		return fmt.Errorf("observer.probe_timeout %s: must be at most %d × probe_interval (%s), so that at most %d probes of a watch are in flight at once (a watched worker refuses more streams from one peer)",
			c.ProbeTimeout, maxProbesInFlight, maxProbesInFlight*c.ProbeInterval.Duration, maxProbesInFlight)
	}
	return nil
}

// validateUnsafe checks the development-only settings that come from flags.
func (c Config) validateUnsafe() error {
	if c.UnsafeInjectLatency < 0 {
		return fmt.Errorf("--unsafe-inject-latency %s: must not be negative", c.UnsafeInjectLatency)
	}
	return nil
}

func init() {
	maps.Copy(comments, map[string]string{
		"[observer]":     "SLA observer duty (proof of SLA): when the chain draws this provider as an observer of a watched lease, probe that lease's provider on /fog/probe/1 during each window and report the results on chain (the provider must be in the verifier pool to be drawn)",
		"enabled":        "serve the observer duty",
		"probe_interval": "one probe of each watched provider per interval while a window runs (at least 10ms)",
		"probe_timeout":  "a probe not answered within this counts as sent and not answered",
	})
}

// slaServices are the worker's proof-of-SLA services: the /fog/probe/1 server, always (observers of
// this provider's watched leases probe it), and the observer duty when [observer] is enabled.
func (w *Worker) slaServices() []Service {
	var leases *probe.Leases
	services := []Service{svc{start: func(ctx context.Context) error {
		leases = probe.NewLeases(w.Chain, w.Chain.Address().String(), w.log.With("service", "probe"))
		if err := leases.Start(ctx); err != nil {
			return err
		}
		probe.Serve(w.Host, leases, probe.ServerConfig{Delay: w.cfg.UnsafeInjectLatency, Log: w.log.With("service", "probe")})
		return nil
	}, stop: func() {
		probe.Unserve(w.Host)
		leases.Stop()
	}}}
	if !w.cfg.Observer.Enabled {
		return services
	}
	var obs *observer.Observer
	return append(services, svc{start: func(ctx context.Context) error {
		var err error
		obs, err = observer.New(observer.NodeChain{Client: w.Chain},
			func(ctx context.Context, target peer.AddrInfo, leaseID uint64) (time.Duration, error) {
				return probe.Probe(ctx, w.Host, target, leaseID)
			},
			observer.Config{
				ProbeInterval: w.cfg.Observer.ProbeInterval.Duration, ProbeTimeout: w.cfg.Observer.ProbeTimeout.Duration,
				Dir: filepath.Join(w.cfg.DataDir, "observer"),
			}, w.log.With("service", "observer"))
		if err != nil {
			return err
		}
		return obs.Start(ctx)
	}, stop: func() { obs.Stop() }})
}
