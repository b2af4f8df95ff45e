package ring

import "sync/atomic"

// SetHookClaimed sets the hook that runs after a claim (nil: none).
func SetHookClaimed(h func(consumer bool)) { hookClaimed = h }

// Sizes of the layout, for the layout test.
const (
	SlotHdrSize = slotHdrSize
	LineSize    = lineSize
)

// HeaderStructSize is the size of the header struct.
var HeaderStructSize = sizeofHeader()

// Sleepers returns the counts of consumers and producers asleep.
func (r *Ring) Sleepers() (consumers, producers uint32) {
	return atomic.LoadUint32(&r.h.emptySleepers), atomic.LoadUint32(&r.h.fullSleepers)
}

// WakeCounts returns the counts in the futex words of consumers (not
// empty) and producers (not full), which every wake-up raises.
func (r *Ring) WakeCounts() (notEmpty, notFull uint32) {
	return atomic.LoadUint32(&r.h.notEmpty) >> 1, atomic.LoadUint32(&r.h.notFull) >> 1
}
