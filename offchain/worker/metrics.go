package worker

import (
	"context"
	"errors"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	sdk "github.com/cosmos/cosmos-sdk/types"

	reputationtypes "github.com/fogchain/fog/x/reputation/types"
)

// Metrics of one worker, on its own registry (several workers may share a process in tests).
type Metrics struct {
	Registry       *prometheus.Registry
	bids           *prometheus.CounterVec
	tasks          *prometheus.CounterVec
	taskSeconds    prometheus.Histogram
	withdrawals    prometheus.Counter
	withdrawnTotal prometheus.Counter
	chainErrors    *prometheus.CounterVec
	chainSubs      prometheus.Counter
	reputation     *prometheus.GaugeVec
	enclaveExpiry  prometheus.Gauge
}

// NewMetrics registers the worker's metrics.
func NewMetrics() *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		bids: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "fog_worker_bids_total", Help: "Sealed bids by outcome: committed, revealed, won, lost.",
		}, []string{"event"}),
		tasks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "fog_worker_tasks_total", Help: "Tasks answered, by status (ok, refused, trap, timeout, ...).",
		}, []string{"status"}),
		taskSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "fog_worker_task_seconds", Help: "Time to answer a task, from header to response.",
			Buckets: prometheus.ExponentialBuckets(0.001, 4, 10),
		}),
		withdrawals: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "fog_worker_withdrawals_total", Help: "Lease payment withdrawals.",
		}),
		withdrawnTotal: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "fog_worker_withdrawn_amount_total", Help: "Amount withdrawn from leases, in the base denom.",
		}),
		chainErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "fog_worker_chain_errors_total", Help: "Chain client errors by kind.",
		}, []string{"kind"}),
		chainSubs: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "fog_worker_chain_subscriptions_total",
			Help: "Websocket block subscriptions opened by the chain client: one for the whole worker, and one more per reconnect.",
		}),
		reputation: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "fog_worker_reputation", Help: "The provider's own reputation: mean, lower_bound, and tier (1 bronze .. 5 diamond).",
		}, []string{"measure"}),
		enclaveExpiry: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "fog_worker_enclave_expiry_height", Help: "Height at which the provider's x/tee enclave record for this worker key expires.",
		}),
	}
	m.Registry.MustRegister(m.bids, m.tasks, m.taskSeconds, m.withdrawals, m.withdrawnTotal, m.chainErrors, m.chainSubs, m.reputation, m.enclaveExpiry,
		prometheus.NewGoCollector(), prometheus.NewProcessCollector(prometheus.ProcessCollectorOpts{}))
	return m
}

func (m *Metrics) BidCommitted() { m.bids.WithLabelValues("committed").Inc() }
func (m *Metrics) BidRevealed()  { m.bids.WithLabelValues("revealed").Inc() }
func (m *Metrics) BidWon()       { m.bids.WithLabelValues("won").Inc() }
func (m *Metrics) BidLost()      { m.bids.WithLabelValues("lost").Inc() }

// Withdrawn counts a withdrawal of amount.
func (m *Metrics) Withdrawn(amount sdk.Coin) {
	m.withdrawals.Inc()
	m.withdrawnTotal.Add(float64(amount.Amount.Int64()))
}

// TaskDone counts a task answered with status after d.
func (m *Metrics) TaskDone(status string, d time.Duration) {
	m.tasks.WithLabelValues(status).Inc()
	m.taskSeconds.Observe(d.Seconds())
}

// Reputation records the provider's own reputation.
func (m *Metrics) Reputation(s reputationtypes.Score) {
	m.reputation.WithLabelValues("mean").Set(s.Mean.MustFloat64())
	m.reputation.WithLabelValues("lower_bound").Set(s.LowerBound.MustFloat64())
	m.reputation.WithLabelValues("tier").Set(float64(s.Tier))
}

// EnclaveExpiry records the expiry height of the worker's enclave record.
func (m *Metrics) EnclaveExpiry(height int64) { m.enclaveExpiry.Set(float64(height)) }

// ChainError counts a chain client error.
func (m *Metrics) ChainError(kind string) { m.chainErrors.WithLabelValues(kind).Inc() }

// ChainSubscribed counts a websocket block subscription the chain client opened.
func (m *Metrics) ChainSubscribed() { m.chainSubs.Inc() }

// metricsServer serves /metrics.
type metricsServer struct {
	addr string
	reg  *prometheus.Registry
	log  interface{ Error(string, ...any) }
	srv  *http.Server
}

func (s *metricsServer) Start(context.Context) error {
	ln, err := net.Listen("tcp", s.addr)
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(s.reg, promhttp.HandlerOpts{}))
	s.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("metrics server stopped", "err", err)
		}
	}()
	return nil
}

func (s *metricsServer) Stop() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = s.srv.Shutdown(ctx)
}
