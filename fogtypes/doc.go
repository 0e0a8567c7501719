// Package fogtypes holds the value types that more than one fog module uses: the reputation tier
// (x/reputation computes it, x/market orders may require a minimum) and the TEE type (x/tee attests
// it, x/market orders may require one). They are generated from proto/fog/common/v1/common.proto;
// a module's types package imports this one instead of another module's, so that no module's types
// depend on another's.
package fogtypes
