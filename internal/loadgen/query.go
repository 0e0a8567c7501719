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

// QueryResult is the latency of one kind of query under load.
type QueryResult struct {
	Name    string `json:"name"`
	Clients int    `json:"clients"`
	// Queries answered without error, and Errors (by message, cut short).
	Queries int            `json:"queries"`
	Errors  map[string]int `json:"errors,omitempty"`
	// PerSecond is Queries over the wall time of the whole load.
	PerSecond float64     `json:"per_second"`
	Latency   Percentiles `json:"latency_ms"`
}

// QueryLoad runs each query in turn with clients concurrent clients, each on its own gRPC
// connection, each sending perClient requests one after the other (a closed loop: a client sends
// its next request when the previous one is answered), after warmup unrecorded requests.
func QueryLoad(ctx context.Context, addr string, ir codectypes.InterfaceRegistry, clients, perClient, warmup int, queries []Query) ([]QueryResult, error) {
	conns := make([]*grpc.ClientConn, clients)
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
	var out []QueryResult
	for _, q := range queries {
		res := QueryResult{Name: q.Name, Clients: clients, Errors: map[string]int{}}
		var (
			mu   sync.Mutex
			lats []time.Duration
			wg   sync.WaitGroup
		)
		for c := range conns {
			for i := 0; i < warmup; i++ {
				if err := q.Call(ctx, conns[c], c*perClient+i); err != nil {
					return nil, fmt.Errorf("%s: %w", q.Name, err)
				}
			}
		}
		start := time.Now()
		for c := range conns {
			wg.Add(1)
			go func(c int) {
				defer wg.Done()
				mine := make([]time.Duration, 0, perClient)
				errs := map[string]int{}
				for i := 0; i < perClient && ctx.Err() == nil; i++ {
					t := time.Now()
					err := q.Call(ctx, conns[c], c*perClient+i)
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
