package ipc

import (
	"bytes"
	"encoding/gob"
	"fmt"

	"github.com/shmkit/shmkit/internal/ring"
	"github.com/shmkit/shmkit/shm"
)

// queueHandle is what a Queue encodes to for another process: its Region
// (itself a handle to shared memory), the element type's name and the
// codec's name, checked when decoding.
type queueHandle struct {
	Region *shm.Region
	Type   string
	Codec  string
}

// MarshalBinary encodes q as a handle, so that q can be passed to another
// process (with [Func.Start], or any encoding that uses
// encoding.BinaryMarshaler, such as gob).
func (q *Queue[T]) MarshalBinary() ([]byte, error) {
	var b bytes.Buffer
	err := gob.NewEncoder(&b).Encode(queueHandle{Region: q.reg, Type: typeName[T](), Codec: q.name})
	return b.Bytes(), err
}

// UnmarshalBinary makes q the queue the handle b names. The memory must be
// mapped in this process (a child maps its parent's segments). The ring
// there is validated before it is used: a bad one is refused with
// [ErrCorruptQueue]; a handle of a queue of another element type or codec
// with [ErrQueueType].
func (q *Queue[T]) UnmarshalBinary(b []byte) error {
	var h queueHandle
	if err := gob.NewDecoder(bytes.NewReader(b)).Decode(&h); err != nil {
		return fmt.Errorf("%w: decoding a queue handle: %w", ErrQueueType, err)
	}
	if h.Region == nil {
		return fmt.Errorf("%w: handle without memory", ErrCorruptQueue)
	}
	if want := typeName[T](); h.Type != want {
		return fmt.Errorf("%w: a queue of %s decoded as a queue of %s", ErrQueueType, h.Type, want)
	}
	r, err := ring.Attach(h.Region.Bytes())
	if err != nil {
		return fmt.Errorf("%w: %w", ErrCorruptQueue, err)
	}
	nq := Queue[T]{reg: h.Region, r: r, name: h.Codec}
	nq.enc, nq.size = encodingOf[T]()
	switch {
	case nq.enc == encRaw && r.MaxMessage() != nq.size:
		return fmt.Errorf("%w: slots of %d bytes for a %s of %d", ErrCorruptQueue, r.MaxMessage(), h.Type, nq.size)
	case nq.enc == encCodec:
		if nq.codec, err = lookupCodec(h.Codec); err != nil {
			return err
		}
	}
	*q = nq
	return nil
}
