package ports

import (
	"fmt"
	"net"
	"testing"
)

func TestReserveHandsOutDistinctBindablePortsBelowTheEphemeralRange(t *testing.T) {
	seen := map[int]bool{}
	for range 50 {
		p := Reserve(t)
		if p < low || p >= high {
			t.Fatalf("port %d outside [%d, %d)", p, low, high)
		}
		if seen[p] {
			t.Fatalf("port %d handed out twice", p)
		}
		seen[p] = true
		l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p))
		if err != nil {
			t.Fatalf("port %d not bindable: %v", p, err)
		}
		l.Close()
	}
}

func TestReserveSkipsAPortInUse(t *testing.T) {
	mu.Lock()
	start := next
	mu.Unlock()
	l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", start))
	if err != nil {
		t.Skipf("port %d busy already: %v", start, err)
	}
	defer l.Close()
	if p := Reserve(t); p == start {
		t.Fatalf("handed out port %d which is in use", p)
	}
}
