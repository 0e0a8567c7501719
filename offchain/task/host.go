package task

import (
	"github.com/libp2p/go-libp2p"
	rcmgr "github.com/libp2p/go-libp2p/p2p/host/resource-manager"
)

// HostOptions are the libp2p options the worker and the customer build their hosts with, before
// their own (identity, listen addresses): libp2p's defaults, resource limits included, with
// libp2p's Prometheus metrics off. libp2p registers those on Prometheus' default registry, which
// nothing serves (the worker's /metrics has a registry of its own), and collecting them costs every
// stream, so every task, trace events through the resource manager (each with its time formatted
// as text) and metric updates in the swarm and the event bus.
func HostOptions() ([]libp2p.Option, error) {
	// libp2p's DefaultResourceManager, but with WithMetricsDisabled: libp2p.DisableMetrics alone
	// leaves the default resource manager's metrics on.
	limits := rcmgr.DefaultLimits
	libp2p.SetDefaultServiceLimits(&limits)
	mgr, err := rcmgr.NewResourceManager(rcmgr.NewFixedLimiter(limits.AutoScale()), rcmgr.WithMetricsDisabled())
	if err != nil {
		return nil, err
	}
	return []libp2p.Option{libp2p.DisableMetrics(), libp2p.ResourceManager(mgr)}, nil
}
