package ring

import "sync/atomic"

// SetHookClaimed sets the hook that runs after a claim (nil: none).
func SetHookClaimed(h func(consumer bool)) { hookClaimed = h }

// ClaimPutUnrecorded claims the slot at the tail as a producer that dies
// before recording its pid would, and returns its position.
func (r *Ring) ClaimPutUnrecorded() (uint64, bool) {
	pos, m, err := r.claimPut(1)
	return pos, m == 1 && err == nil
}

// Sizes of the layout, for the layout test.
const (
	SlotHdrSize = slotHdrSize
	LineSize    = lineSize
)

// HeaderStructSize is the size of the header struct.
var HeaderStructSize = sizeofHeader()

// ClaimGetUnrecorded claims the message at the head as a consumer that dies
// before recording its pid would, and returns its position.
func (r *Ring) ClaimGetUnrecorded() (uint64, bool) {
	pos, m, err := r.claimGet(1)
	return pos, m == 1 && err == nil
}

// Sleepers returns the counts of consumers and producers asleep.
func (r *Ring) Sleepers() (consumers, producers uint32) {
	return atomic.LoadUint32(&r.h.emptySleepers), atomic.LoadUint32(&r.h.fullSleepers)
}
