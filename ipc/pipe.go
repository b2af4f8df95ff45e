package ipc

import (
	"bytes"
	"context"
	"encoding/gob"
	"fmt"

	"github.com/shmkit/shmkit/internal/ring"
	"github.com/shmkit/shmkit/shm"
)

// Sizes of the rings of a Pipe.
const (
	PipeSlots      = 64       // messages in flight in each direction
	PipeMaxMessage = 64 << 10 // the largest message, in bytes
)

// Conn is one end of a [Pipe]: Send puts a message for the other end, Recv
// takes one the other end sent. Python: multiprocessing.connection.Connection
// (with send_bytes and recv_bytes). Each direction is a ring in shared memory
// of [PipeSlots] messages of up to [PipeMaxMessage] bytes.
//
// A Conn is a handle: pass it to a child process as (part of) the argument
// of [Func.Start]. Its methods are safe for concurrent use; messages sent
// by one goroutine arrive in order.
type Conn struct {
	send, recv       *ring.Ring // nil for the missing direction of a one-way pipe
	sendReg, recvReg *shm.Region
}

// Pipe returns the two ends of a new pipe. If duplex, both ends can send
// and receive; otherwise the first can only receive and the second only
// send, as with Python's Pipe(duplex=False).
func Pipe(duplex bool) (*Conn, *Conn, error) {
	ab, abReg, err := newPipeRing()
	if err != nil {
		return nil, nil, err
	}
	if !duplex {
		return &Conn{recv: ab, recvReg: abReg}, &Conn{send: ab, sendReg: abReg}, nil
	}
	ba, baReg, err := newPipeRing()
	if err != nil {
		return nil, nil, err
	}
	return &Conn{send: ab, sendReg: abReg, recv: ba, recvReg: baReg},
		&Conn{send: ba, sendReg: baReg, recv: ab, recvReg: abReg}, nil
}

func newPipeRing() (*ring.Ring, *shm.Region, error) {
	reg, err := shm.NewRegion(ring.Size(PipeSlots, PipeMaxMessage))
	if err != nil {
		return nil, nil, err
	}
	// A Region's bytes are zero when it is made: only the header is written.
	r, err := ring.InitZeroed(reg.Bytes(), PipeSlots, PipeMaxMessage, 0)
	if err != nil {
		return nil, nil, err
	}
	return r, reg, nil
}

// Send sends a copy of b to the other end, waiting for room as long as it
// takes or until ctx is done. It returns [ErrClosed] once either end is
// closed, [ErrTooLarge] if b is larger than [PipeMaxMessage], and
// [ErrDirection] on the receiving end of a one-way pipe.
func (c *Conn) Send(ctx context.Context, b []byte) error {
	if c.send == nil {
		return ErrDirection
	}
	if len(b) > c.send.MaxMessage() {
		return fmt.Errorf("%w: %d bytes, a pipe message holds %d", ErrTooLarge, len(b), c.send.MaxMessage())
	}
	return queueErr(c.send.Put(ctx, b))
}

// Recv returns the next message from the other end, waiting for one as
// long as it takes or until ctx is done. Once the pipe is closed it
// returns the messages left, then [ErrClosed] (Python's EOFError). It
// returns [ErrDirection] on the sending end of a one-way pipe.
func (c *Conn) Recv(ctx context.Context) ([]byte, error) {
	if c.recv == nil {
		return nil, ErrDirection
	}
	b, err := c.recv.Get(ctx, nil)
	if err != nil {
		return nil, queueErr(err)
	}
	if b == nil {
		b = []byte{}
	}
	return b, nil
}

// Close closes both directions, for both ends: the other end's Recv
// returns the messages already sent and then [ErrClosed], and Send on
// either end fails with ErrClosed. It always returns nil.
func (c *Conn) Close() error {
	if c.send != nil {
		c.send.Close()
	}
	if c.recv != nil {
		c.recv.Close()
	}
	return nil
}

// connHandle is what a Conn encodes to for another process.
type connHandle struct{ Send, Recv *shm.Region }

// MarshalBinary encodes c as a handle, so that c can be passed to another
// process.
func (c *Conn) MarshalBinary() ([]byte, error) {
	var b bytes.Buffer
	err := gob.NewEncoder(&b).Encode(connHandle{Send: c.sendReg, Recv: c.recvReg})
	return b.Bytes(), err
}

// UnmarshalBinary makes c the end of a pipe the handle b names, validating
// the rings ([ErrCorruptQueue]).
func (c *Conn) UnmarshalBinary(b []byte) error {
	var h connHandle
	if err := gob.NewDecoder(bytes.NewReader(b)).Decode(&h); err != nil {
		return fmt.Errorf("%w: decoding a pipe handle: %w", ErrQueueType, err)
	}
	var nc Conn
	for _, d := range []struct {
		reg *shm.Region
		r   **ring.Ring
	}{{h.Send, &nc.send}, {h.Recv, &nc.recv}} {
		if d.reg == nil {
			continue
		}
		r, err := ring.Attach(d.reg.Bytes())
		if err != nil {
			return fmt.Errorf("%w: %w", ErrCorruptQueue, err)
		}
		*d.r = r
	}
	if nc.send == nil && nc.recv == nil {
		return fmt.Errorf("%w: pipe handle without memory", ErrCorruptQueue)
	}
	nc.sendReg, nc.recvReg = h.Send, h.Recv
	*c = nc
	return nil
}
