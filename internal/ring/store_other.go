//go:build race || !amd64

package ring

import "sync/atomic"

// storeRel stores v at *addr with release ordering (see store_amd64.go).
// On arm64 sync/atomic's Store is already a store-release (STLR); elsewhere
// and in race builds it is what the detector understands.
func storeRel(addr *uint64, v uint64) { atomic.StoreUint64(addr, v) }
