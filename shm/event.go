package shm

import (
	"context"
	"math"
	"sync/atomic"

	"github.com/shmkit/shmkit/internal/futex"
)

// eventState is the shared state of an Event, after its block's lock
// word. Its zero value is an event that is not set.
//
// word is the futex word: bit 0 says the event is set, bit 1 that someone
// may sleep on the word, and the bits from 2 on count the times the event
// went from clear to set, so that a waiter also sees a Set followed at once
// by a Clear.
type eventState struct {
	word uint32
	_    uint32
}

const (
	eventSet     = 1
	eventWaiters = 2
	eventGen     = 4 // one step of the count of Sets
)

// Event is a flag in shared memory that processes and goroutines wait for.
// Python: multiprocessing.Event.
//
// An Event is a handle: copies refer to the same flag, and an Event passed
// to a child process (see package ipc) is the same flag there. The zero
// Event is not usable; get one from [NewEvent] or [LookupEvent]. In shared
// memory an event is one word; all-zero bytes are an event not set.
//
// A Set synchronizes before the Wait calls that it makes return, and
// before the IsSet calls that see it. Set wakes sleepers only if there are
// some; IsSet is one atomic load.
type Event struct {
	st  *eventState
	obj object
}

// NewEvent allocates an event, not set, in the default arena or in the
// segment given with [In].
func NewEvent(opts ...Option) (*Event, error) {
	o, err := allocate(kindEvent, 0, 0, opts)
	if err != nil {
		return nil, err
	}
	return eventOf(o)
}

// LookupEvent returns the event named name in seg (see [Named]).
func LookupEvent(seg *Segment, name string) (*Event, error) {
	o, err := lookup(seg, name, kindEvent, 0)
	if err != nil {
		return nil, err
	}
	return eventOf(o)
}

func eventOf(o object) (*Event, error) {
	st, err := lineState[eventState](o)
	if err != nil {
		return nil, err
	}
	return &Event{st: st, obj: o}, nil
}

// IsSet reports whether the event is set.
func (e *Event) IsSet() bool { return atomic.LoadUint32(&e.st.word)&eventSet != 0 }

// Set sets the event and wakes every waiter. Setting a set event does
// nothing.
func (e *Event) Set() {
	for {
		s := atomic.LoadUint32(&e.st.word)
		if s&eventSet != 0 {
			return
		}
		if atomic.CompareAndSwapUint32(&e.st.word, s, (s+eventGen)&^eventWaiters|eventSet) {
			if s&eventWaiters != 0 {
				futex.Wake(&e.st.word, math.MaxInt32)
			}
			return
		}
	}
}

// Clear clears the event: Wait calls that begin afterwards wait for the next
// Set.
func (e *Event) Clear() { atomic.AndUint32(&e.st.word, ^uint32(eventSet)) }

// Wait waits until the event is set, or was set since Wait began (even if
// cleared since), or ctx is done. It returns nil, or ctx.Err(). Python's
// wait(timeout) is Wait with a context.WithTimeout.
func (e *Event) Wait(ctx context.Context) error {
	s := atomic.LoadUint32(&e.st.word)
	if s&eventSet != 0 {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return e.waitSlow(ctx, s&^(eventSet|eventWaiters))
}

func (e *Event) waitSlow(ctx context.Context, gen uint32) error {
	defer wakeOnDone(ctx, &e.st.word, nil)()
	var sleep futex.Sleeper
	for {
		s := atomic.LoadUint32(&e.st.word)
		if s&eventSet != 0 || s&^(eventSet|eventWaiters) != gen {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if s&eventWaiters == 0 {
			if !atomic.CompareAndSwapUint32(&e.st.word, s, s|eventWaiters) {
				continue
			}
			s |= eventWaiters
		}
		sleep.Wait(&e.st.word, s, sleepLimit(ctx))
	}
}

// MarshalBinary encodes e as a handle, so that e can be passed to another
// process (with package ipc, or by any encoding that uses
// encoding.BinaryMarshaler, such as gob).
func (e *Event) MarshalBinary() ([]byte, error) { return e.obj.marshal(kindEvent) }

// UnmarshalBinary makes e the event a handle from [Event.MarshalBinary]
// names. The segment must be mapped in this process.
func (e *Event) UnmarshalBinary(b []byte) error {
	o, err := unmarshalObject(b, kindEvent, 0)
	if err != nil {
		return err
	}
	ev, err := eventOf(o)
	if err != nil {
		return err
	}
	*e = *ev
	return nil
}
