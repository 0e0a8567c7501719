package circuits

import (
	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr/mimc"
)

// hashElements is the plain-Go MiMC of a sequence of field elements, equal to writing them one by
// one into gnark's in-circuit std/hash/mimc hasher and calling Sum.
func hashElements(elems ...fr.Element) fr.Element {
	return mimc.NewFieldHasher().SumElements(elems)
}
