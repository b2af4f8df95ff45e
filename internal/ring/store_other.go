//go:build race || !amd64

package ring

import (
	"sync/atomic"
	"unsafe"
)

// storeRel stores v at *addr with release ordering (see store_amd64.go).
// On arm64 sync/atomic's Store is already a store-release (STLR); elsewhere
// and in race builds it is what the detector understands.
func storeRel(addr *uint64, v uint64) { atomic.StoreUint64(addr, v) }

// storeRelStrided is storeRel of v at the n words stride bytes apart from
// addr (see store_amd64.go). The words lie inside the ring's memory, as
// the caller guarantees, so the pointer arithmetic stays inside it (see
// unsafe.go).
func storeRelStrided(addr *uint64, stride, n, v uint64) {
	for i := range n {
		atomic.StoreUint64((*uint64)(unsafe.Add(unsafe.Pointer(addr), i*stride)), v)
	}
}
