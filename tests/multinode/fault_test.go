package multinode

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// funds is every test account's genesis balance: 1,000 FOG, enough for a provider bond and many
// bid deposits.
const funds = 1_000_000_000

// TestOneValidatorDownAndBack is the short fault case (make test): four validators under load,
// one crashes; the other three keep making blocks and every transaction they confirm is in their
// state; the crashed node restarts, catches up, and all four agree on every block and app hash.
func TestOneValidatorDownAndBack(t *testing.T) {
	began := time.Now()
	roles := defaultRoles("")
	c := newCluster(t, 4, funds, roles.accounts()...)
	t.Logf("4 validators up in %s", time.Since(began).Round(time.Millisecond))
	l := startLoad(t, c, roles)
	l.waitConfirmedAfter(t, 0, 10)

	victim := c.nodes[3]
	c.kill(t, victim)
	killedAt := c.tip()
	for _, nd := range c.live() {
		c.waitNodeHeight(t, nd, killedAt+5)
	}
	l.waitConfirmedAfter(t, killedAt, 10)
	l.verify(t)

	restartAt := time.Now()
	c.restart(t, victim)
	tip := c.tip()
	c.waitNodeHeight(t, victim, tip)
	t.Logf("%s restarted %d blocks behind and reached height %d in %s", victim.name(), tip-victim.heightAtStop, tip,
		time.Since(restartAt).Round(time.Millisecond))
	require.NoError(t, c.poll(func() bool { return c.tip() > tip }))
	l.verify(t)
	l.stop()
	c.requireSameChain(t, c.nodes, 1, minHeight(c.nodes))
	t.Logf("short fault case: %s", time.Since(began).Round(time.Second))
}

// minHeight is the lowest latest height of the nodes.
func minHeight(nodes []*node) int64 {
	var m int64
	for i, nd := range nodes {
		if h := nd.height(); i == 0 || h < m {
			m = h
		}
	}
	return m
}
