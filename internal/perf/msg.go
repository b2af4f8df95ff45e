package perf

import (
	"encoding/binary"
	"fmt"

	"github.com/shmkit/shmkit/shm"
)

// A message of the queue and pipe measurements (64 bytes or 4 KiB) carries
// its sequence number (from 0 in each round, per producer) in its first
// word, its producer in the second, and in its last word a check of both,
// so that a torn or corrupt message is told from a good one. A producer
// ends its round with an end marker: sequence endSeq, and in the third
// word the number of messages it sent.

const (
	endSeq   = ^uint64(0)
	checkKey = 0x9e3779b97f4a7c15
)

var le = binary.LittleEndian

// stamp makes b (at least 32 bytes) message seq of producer id.
func stamp(b []byte, seq, id uint64) {
	le.PutUint64(b[0:], seq)
	le.PutUint64(b[8:], id)
	le.PutUint64(b[len(b)-8:], seq^id^checkKey)
}

// stampEnd makes b producer id's end marker, after count messages.
func stampEnd(b []byte, id, count uint64) {
	stamp(b, endSeq, id)
	le.PutUint64(b[16:], count)
}

// message is a parsed message.
type message struct {
	seq, id uint64
	count   uint64 // of an end marker
	end     bool
}

// parse reads a message, refusing one whose check word is wrong.
func parse(b []byte) (message, error) {
	m := message{seq: le.Uint64(b[0:]), id: le.Uint64(b[8:])}
	if le.Uint64(b[len(b)-8:]) != m.seq^m.id^checkKey {
		return m, fmt.Errorf("torn or corrupt message (sequence %d, producer %d)", m.seq, m.id)
	}
	if m.seq == endSeq {
		m.end, m.count = true, le.Uint64(b[16:])
	}
	return m, nil
}

// inOrder checks the messages of one producer to one consumer: each
// arrives once and in order, and the end marker counts them all.
type inOrder struct{ next uint64 }

// take checks the next message b and reports whether it was the end
// marker. It resets for the next round after the end marker. The message
// due next, whole, is checked in place, without parse and its message
// (the consumer of a queue row checks every message, on the row's clock);
// anything else goes to takeSlow, which says what is wrong.
func (c *inOrder) take(b []byte) (end bool, err error) {
	if seq := le.Uint64(b); seq == c.next && le.Uint64(b[len(b)-8:]) == seq^le.Uint64(b[8:])^checkKey {
		c.next++
		return false, nil
	}
	return c.takeSlow(b)
}

func (c *inOrder) takeSlow(b []byte) (end bool, err error) {
	m, err := parse(b)
	switch {
	case err != nil:
		return false, err
	case m.end && m.count != c.next:
		return true, fmt.Errorf("the producer sent %d messages, %d arrived", m.count, c.next)
	case m.end:
		c.next = 0
		return true, nil
	case m.seq != c.next:
		return false, fmt.Errorf("message %d arrived when %d was due: lost, repeated or out of order", m.seq, c.next)
	}
	c.next++
	return false, nil
}

// seen records the messages one consumer of several takes from several
// producers, in a bitmap per producer: each producer's messages must
// arrive in increasing order (a consumer claims slots in queue order), and
// the bitmaps of all consumers, merged, must hold each message once.
type seen struct {
	bits  [][]uint64 // per producer, bit seq set when seq arrived
	next  []uint64   // per producer, the lowest sequence that may come next
	count []int64    // per producer, messages taken
	max   uint64     // sequences are below it
}

func newSeen(producers int, max uint64) *seen {
	s := &seen{next: make([]uint64, producers), count: make([]int64, producers), max: max}
	for range producers {
		s.bits = append(s.bits, make([]uint64, words(max)))
	}
	return s
}

// words returns the number of 64-bit words of a bitmap of n bits.
func words(n uint64) int { return int((n + 63) / 64) }

// take records message b and reports whether it was an end marker.
func (s *seen) take(b []byte) (end bool, err error) {
	m, err := parse(b)
	switch {
	case err != nil:
		return false, err
	case m.id >= uint64(len(s.bits)):
		return false, fmt.Errorf("message from producer %d, of %d", m.id, len(s.bits))
	case m.end:
		return true, nil
	case m.seq >= s.max:
		return false, fmt.Errorf("message %d of producer %d: sequences stop at %d", m.seq, m.id, s.max)
	case m.seq < s.next[m.id]:
		return false, fmt.Errorf("message %d of producer %d arrived after %d: repeated or out of order", m.seq, m.id, s.next[m.id]-1)
	}
	s.bits[m.id][m.seq/64] |= 1 << (m.seq % 64)
	s.next[m.id] = m.seq + 1
	s.count[m.id]++
	return false, nil
}

// merge ORs the bitmap of producer p into shared (from word 0), failing
// if a message is there already (another consumer took it too), and
// clears it, with the rest of s's record of p, for the next round.
func (s *seen) merge(p int, shared *shm.Array[uint64], off int) error {
	bits := s.bits[p]
	for w := range words(s.next[p]) {
		b := bits[w]
		if b == 0 {
			continue
		}
		for {
			old := shared.Load(off + w)
			if old&b != 0 {
				return fmt.Errorf("messages of producer %d taken twice, around sequence %d", p, 64*w)
			}
			if shared.CompareAndSwap(off+w, old, old|b) {
				break
			}
		}
		bits[w] = 0
	}
	s.next[p], s.count[p] = 0, 0
	return nil
}

// checkAll checks that the bitmap of producer p, nwords words of shared
// from word off, holds exactly the messages 0 to n-1, and clears it for
// the next round.
func checkAll(p int, n uint64, shared *shm.Array[uint64], off, nwords int) error {
	if n > uint64(nwords)*64 {
		return fmt.Errorf("producer %d sent %d messages, more than the %d it may", p, n, nwords*64)
	}
	for w := range nwords {
		var want uint64
		switch lo := uint64(w) * 64; {
		case lo+64 <= n:
			want = ^uint64(0)
		case lo < n:
			want = 1<<(n-lo) - 1
		}
		got := shared.Load(off + w)
		if got != want {
			missing := want &^ got
			for i := range uint64(64) {
				if missing&(1<<i) != 0 {
					return fmt.Errorf("message %d of producer %d (of %d sent) never arrived", uint64(w)*64+i, p, n)
				}
			}
			return fmt.Errorf("messages of producer %d arrived beyond the %d it sent, around %d", p, n, w*64)
		}
		if got != 0 {
			shared.Store(off+w, 0)
		}
	}
	return nil
}
