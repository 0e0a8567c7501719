package loadgen

import (
	"context"
	"fmt"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/cosmos/cosmos-sdk/codec"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
)

// Query is one kind of gRPC query: Call sends its i-th request on conn.
type Query struct {
	Name string
	Call func(ctx context.Context, conn *grpc.ClientConn, i int) error
}

// QueryLoadConfig says how hard QueryLoad pushes.
type QueryLoadConfig struct {
	Clients   int // concurrent clients, each on its own gRPC connection
	PerClient int // requests per client and query kind
	Warmup    int // unrecorded requests per client before the timed ones
	// Rate is each client's request rate per second. 0 is a closed loop: a client sends its next
	// request as soon as the previous one is answered, so the node is saturated and the latency is
	// mostly queueing (Little's law: clients / throughput). With a rate, a client sends request i
	// at start + phase + i/Rate (phases spread over one period), and latency is measured from that
	// scheduled time, so a node that falls behind is charged for the wait.
	Rate float64
}

// QueryResult is the latency of one kind of query under load.
type QueryResult struct {
	Name    string `json:"name"`
	Clients int    `json:"clients"`
	// Rate per client (0: closed loop).
	Rate float64 `json:"rate_per_client"`
	// Queries answered without error, and Errors (by message, cut short).
	Queries int            `json:"queries"`
	Errors  map[string]int `json:"errors,omitempty"`
	// PerSecond is Queries over the wall time of the whole load.
	PerSecond float64     `json:"per_second"`
	Latency   Percentiles `json:"latency_ms"`
}

// QueryLoad runs each query in turn under cfg.
func QueryLoad(ctx context.Context, addr string, ir codectypes.InterfaceRegistry, cfg QueryLoadConfig, queries []Query) ([]QueryResult, error) {
	conns := make([]*grpc.ClientConn, cfg.Clients)
	for i := range conns {
		conn, err := grpc.NewClient(addr,
			grpc.WithTransportCredentials(insecure.NewCredentials()),
			grpc.WithDefaultCallOptions(grpc.ForceCodec(codec.NewProtoCodec(ir).GRPCCodec())))
		if err != nil {
			return nil, fmt.Errorf("grpc %s: %w", addr, err)
		}
		defer conn.Close()
		conns[i] = conn
	}
	var period time.Duration
	if cfg.Rate > 0 {
		period = time.Duration(float64(time.Second) / cfg.Rate)
	}
	var out []QueryResult
	for _, q := range queries {
		res := QueryResult{Name: q.Name, Clients: cfg.Clients, Rate: cfg.Rate, Errors: map[string]int{}}
		var (
			mu   sync.Mutex
			lats []time.Duration
			wg   sync.WaitGroup
		)
		for c := range conns {
			for i := 0; i < cfg.Warmup; i++ {
				if err := q.Call(ctx, conns[c], c*cfg.PerClient+i); err != nil {
					return nil, fmt.Errorf("%s: %w", q.Name, err)
				}
			}
		}
		start := time.Now()
		for c := range conns {
			wg.Add(1)
			go func(c int) {
				defer wg.Done()
				mine := make([]time.Duration, 0, cfg.PerClient)
				errs := map[string]int{}
				phase := period * time.Duration(c) / time.Duration(len(conns))
				for i := 0; i < cfg.PerClient && ctx.Err() == nil; i++ {
					t := time.Now()
					if period > 0 {
						t = start.Add(phase + time.Duration(i)*period)
						if wait := time.Until(t); wait > 0 {
							time.Sleep(wait)
						}
					}
					err := q.Call(ctx, conns[c], c*cfg.PerClient+i)
					d := time.Since(t)
					if err != nil {
						errs[shortErr(err)]++
						continue
					}
					mine = append(mine, d)
				}
				mu.Lock()
				lats = append(lats, mine...)
				for k, v := range errs {
					res.Errors[k] += v
				}
				mu.Unlock()
			}(c)
		}
		wg.Wait()
		wall := time.Since(start)
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		res.Queries = len(lats)
		res.PerSecond = float64(len(lats)) / wall.Seconds()
		res.Latency = percentiles(lats)
		out = append(out, res)
	}
	return out, nil
}
