//go:build !race

package ring

// storeRel stores v at *addr with release ordering: the memory writes
// before it are visible to any process that sees v. It publishes and
// releases slots, which need no more: sync/atomic's Store is sequentially
// consistent, an XCHG on amd64 that drains the store buffer and waits for
// every pending cache miss, the most expensive instruction of a Put or Get
// when the other side is on another core. Nothing that is read in a
// Dekker handshake (sleep bits, claims) is written with it.
//
// The race detector cannot see the ordering an assembly store gives, so
// race builds use the sync/atomic store (store_other.go).
//
//go:noescape
func storeRel(addr *uint64, v uint64)

// storeRelStrided is storeRel of v at n words, the first at addr and each
// stride bytes after the one before: the words of n consecutive slots,
// which the caller guarantees lie inside the ring (see storeWords). One
// call for a batch of slots, where storeRel, which cannot be inlined,
// would take one a slot.
//
//go:noescape
func storeRelStrided(addr *uint64, stride, n, v uint64)
