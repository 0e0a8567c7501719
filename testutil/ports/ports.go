// Package ports hands out loopback TCP ports for tests that start processes (nodes, workers) which
// must be told their ports before they bind them.
//
// Asking the kernel for a free port (listen on :0, close, pass the number on) races every
// outgoing connection on the machine: the kernel hands out the same ephemeral range (32768 and
// up on Linux) to the source ports of connects, so between the close and the child's bind another
// connection may take the port. Ports here are taken below that range, each checked free when it
// is handed out, from a per-process random start so that test binaries running side by side
// rarely walk the same ports.
package ports

import (
	"fmt"
	"math/rand/v2"
	"net"
	"sync"
	"testing"
)

const (
	low  = 17000
	high = 32000 // below Linux's default ip_local_port_range (32768–60999)
)

var (
	mu   sync.Mutex
	next = low + rand.IntN(high-low)
)

// Reserve returns a loopback TCP port below the ephemeral range that was free when checked and has
// not been handed out before by this process (until the range wraps).
func Reserve(t testing.TB) int {
	t.Helper()
	mu.Lock()
	defer mu.Unlock()
	for tries := 0; tries < high-low; tries++ {
		p := next
		next++
		if next >= high {
			next = low
		}
		if l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p)); err == nil {
			l.Close()
			return p
		}
	}
	t.Fatalf("no free loopback port in [%d, %d)", low, high)
	return 0
}
