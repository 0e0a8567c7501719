package keeper

import (
	"crypto/sha256"
	"sync"

	"github.com/fogchain/fog/x/proofs/internal/groth16"
)

// vkCacheSize bounds the parsed keys kept in memory. Circuits are registered by governance only, so
// the working set is small; past the bound an arbitrary entry is dropped.
const vkCacheSize = 256

// vkCache keeps parsed verifying keys so that a verification does not redo the key's decompression,
// subgroup checks and e(α, β) pairing (about as long as the verification itself) on every proof.
//
// It changes no outcome and no gas: an entry is used only for the exact key bytes and limits it was
// parsed under, only successful parses are kept, and the gas charged is the same flat amount whether
// the key is cached or not. A node that has just started parses each key once more.
type vkCache struct {
	mu      sync.Mutex
	entries map[uint64]vkEntry
}

type vkEntry struct {
	digest [sha256.Size]byte
	limits groth16.Limits
	vk     *groth16.VerifyingKey
}

func newVKCache() *vkCache { return &vkCache{entries: make(map[uint64]vkEntry)} }

// get returns the parsed key of circuit id for these key bytes and limits, parsing it on a miss.
func (c *vkCache) get(id uint64, key []byte, lim groth16.Limits) (*groth16.VerifyingKey, error) {
	digest := sha256.Sum256(key)
	c.mu.Lock()
	e, ok := c.entries[id]
	c.mu.Unlock()
	if ok && e.digest == digest && e.limits == lim {
		return e.vk, nil
	}
	vk, err := groth16.ParseVerifyingKey(key, lim)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, present := c.entries[id]; !present && len(c.entries) >= vkCacheSize {
		for k := range c.entries {
			delete(c.entries, k)
			break
		}
	}
	c.entries[id] = vkEntry{digest: digest, limits: lim, vk: vk}
	return vk, nil
}
