package keeper

import (
	"crypto/sha256"
	"sync"

	"github.com/fogchain/fog/x/proofs/types"
)

// vkCacheSize bounds the parsed keys kept in memory. It is above any warm set (at most
// MaxWarmCircuitsLimit circuits) and the cache never drops a warm circuit's key, so that a warm
// circuit's key, which verifications pay no key-load gas for, is always parsed already (but for
// the first use of each after the node starts).
const vkCacheSize = 2 * types.MaxWarmCircuitsLimit

// vkCache keeps parsed verifying keys so that a verification does not redo the key's decompression,
// subgroup checks and e(α, β) pairing (about half as long as the verification itself) on every proof.
//
// It changes no outcome and no gas: an entry is used only for the exact key bytes and limits it was
// parsed under, only successful parses are kept, and gas depends on the consensus warm set only
// (warm.go), never on what this node happens to hold.
type vkCache struct {
	mu      sync.Mutex
	entries map[uint64]*vkEntry
	tick    uint64
}

type vkEntry struct {
	digest [sha256.Size]byte
	limits types.KeyLimits
	vk     *types.VerifyingKey
	used   uint64
}

func newVKCache() *vkCache { return &vkCache{entries: make(map[uint64]*vkEntry)} }

// get returns the parsed key of circuit cc for its key bytes and these limits, parsing it on a miss.
// warm reports whether a circuit is in the warm set: a full cache drops the least recently used key
// of a circuit that is not.
func (c *vkCache) get(cc types.Circuit, lim types.KeyLimits, warm func(id uint64) bool) (*types.VerifyingKey, error) {
	id := cc.Id
	digest := sha256.Sum256(cc.VerifyingKey)
	c.mu.Lock()
	if e, ok := c.entries[id]; ok && e.digest == digest && e.limits == lim {
		c.tick++
		e.used = c.tick
		c.mu.Unlock()
		return e.vk, nil
	}
	c.mu.Unlock()
	vk, err := types.ParseVerifyingKey(lim, cc.VerifyingKey, cc.PublicInputCount)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, present := c.entries[id]; !present && len(c.entries) >= vkCacheSize {
		c.evict(warm)
	}
	c.tick++
	c.entries[id] = &vkEntry{digest: digest, limits: lim, vk: vk, used: c.tick}
	return vk, nil
}

// evict drops the least recently used entry of a circuit outside the warm set. The cache holds more
// entries than any warm set, so there is one; the victim depends only on the use order, not on the
// map's iteration order.
func (c *vkCache) evict(warm func(id uint64) bool) {
	var victim, oldest uint64
	found := false
	for id, e := range c.entries {
		if (!found || e.used < oldest) && !warm(id) {
			victim, oldest, found = id, e.used, true
		}
	}
	if found {
		delete(c.entries, victim)
	}
}
