package keeper

// WithEmptyKeyCache is k with the memory of a node that has just started: no parsed key.
func (k Keeper) WithEmptyKeyCache() Keeper {
	k.vks = newVKCache()
	return k
}

// KeyCached reports whether circuit id's parsed key is in k's memory.
func (k Keeper) KeyCached(id uint64) bool {
	k.vks.mu.Lock()
	defer k.vks.mu.Unlock()
	_, ok := k.vks.entries[id]
	return ok
}
