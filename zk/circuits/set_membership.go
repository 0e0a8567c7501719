package circuits

import (
	"fmt"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/std/hash/mimc"
)

// MerkleDepth is the depth of the SetMembership tree: a committed set holds at most 2^16 values.
const MerkleDepth = 16

// MerkleCapacity is the number of leaves of the SetMembership tree.
const MerkleCapacity = 1 << MerkleDepth

// SetMembership proves that a private Value is in the set committed to by Root.
//
// The tree has exactly MerkleDepth levels. Leaf i is MiMC(set[i]); a node is MiMC(left, right);
// leaves past the end of the set are the field element 0 (not MiMC(0)), so padding never makes any
// value a member. Directions[i] is 1 when the node at level i (0 = leaf) is a right child, that is
// when Siblings[i] is on its left.
//
// Public inputs, in order: Root.
type SetMembership struct {
	Root       frontend.Variable `gnark:",public"`
	Value      frontend.Variable
	Siblings   [MerkleDepth]frontend.Variable
	Directions [MerkleDepth]frontend.Variable
}

// NewSetMembership returns a SetMembership circuit to compile, or to fill as an assignment.
func NewSetMembership() *SetMembership { return &SetMembership{} }

// Define implements frontend.Circuit.
func (c *SetMembership) Define(api frontend.API) error {
	h, err := mimc.NewMiMC(api)
	if err != nil {
		return err
	}
	h.Write(c.Value)
	node := h.Sum()
	for i := range MerkleDepth {
		api.AssertIsBoolean(c.Directions[i])
		left := api.Select(c.Directions[i], c.Siblings[i], node)
		right := api.Select(c.Directions[i], node, c.Siblings[i])
		h.Reset()
		h.Write(left, right)
		node = h.Sum()
	}
	api.AssertIsEqual(node, c.Root)
	return nil
}

// MerkleProof is the private path of one set member, as SetMembership expects it.
type MerkleProof struct {
	Siblings [MerkleDepth]fr.Element
	// Directions[i] is true when the node at level i is a right child.
	Directions [MerkleDepth]bool
}

// MerkleLeaf is the leaf committed for a set member.
func MerkleLeaf(value fr.Element) fr.Element { return hashElements(value) }

// MerkleRoot is the public Root of SetMembership for set, in the order given (duplicates allowed).
func MerkleRoot(set []fr.Element) (fr.Element, error) {
	levels, err := merkleLevels(set)
	if err != nil {
		return fr.Element{}, err
	}
	return levels[MerkleDepth][0], nil
}

// MerklePath is the path of set[index] in the tree whose root is MerkleRoot(set).
func MerklePath(set []fr.Element, index int) (MerkleProof, error) {
	if index < 0 || index >= len(set) {
		return MerkleProof{}, fmt.Errorf("circuits: merkle index %d outside a set of %d values", index, len(set))
	}
	levels, err := merkleLevels(set)
	if err != nil {
		return MerkleProof{}, err
	}
	empty := emptySubtrees()
	var p MerkleProof
	for level := range MerkleDepth {
		sibling := index ^ 1
		if sibling < len(levels[level]) {
			p.Siblings[level] = levels[level][sibling]
		} else {
			p.Siblings[level] = empty[level]
		}
		p.Directions[level] = index&1 == 1
		index >>= 1
	}
	return p, nil
}

// merkleLevels hashes only the populated prefix of each level; everything to its right is an
// empty subtree whose hash is known in advance, so a small set costs O(len(set)) hashes, not 2^16.
func merkleLevels(set []fr.Element) ([][]fr.Element, error) {
	if len(set) > MerkleCapacity {
		return nil, fmt.Errorf("circuits: a set holds at most %d values, got %d", MerkleCapacity, len(set))
	}
	empty := emptySubtrees()
	levels := make([][]fr.Element, MerkleDepth+1)
	levels[0] = make([]fr.Element, len(set))
	for i := range set {
		levels[0][i] = MerkleLeaf(set[i])
	}
	for level := 1; level <= MerkleDepth; level++ {
		below := levels[level-1]
		n := (len(below) + 1) / 2
		if n == 0 {
			n = 1
		}
		cur := make([]fr.Element, n)
		for i := range cur {
			left, right := empty[level-1], empty[level-1]
			if 2*i < len(below) {
				left = below[2*i]
			}
			if 2*i+1 < len(below) {
				right = below[2*i+1]
			}
			cur[i] = hashElements(left, right)
		}
		levels[level] = cur
	}
	return levels, nil
}

// emptySubtrees[l] is the hash of a subtree of height l made only of padding leaves.
func emptySubtrees() [MerkleDepth + 1]fr.Element {
	var empty [MerkleDepth + 1]fr.Element
	for l := 1; l <= MerkleDepth; l++ {
		empty[l] = hashElements(empty[l-1], empty[l-1])
	}
	return empty
}
