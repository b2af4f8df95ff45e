package ipc

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// The control channel carries two frames: the parent's start frame, then the
// child's result frame. A frame is a 5-byte header, the payload length as a
// big-endian uint32 and a kind byte, followed by the payload:
//
//	start:  nonce [16]byte | name length uint16 | name | gob-encoded argument
//	result: status byte | message length uint32 | message | stack
//
// Readers check every length against what they hold and against
// maxFramePayload before allocating; a malformed frame is an error wrapping
// ErrFrame, never a panic.
const (
	frameHeaderLen  = 5
	maxFramePayload = 64 << 20 // a gob-encoded argument or a panic's stack; shared objects travel as handles

	kindStart  byte = 1
	kindResult byte = 2

	nonceLen = 16
)

// Result statuses, as sent by the child.
const (
	statusOK          byte = iota // the function returned nil
	statusError                   // the function returned an error, or the child could not set up
	statusPanic                   // the function panicked
	statusUnknownFunc             // no function is registered under the name
	statusArgs                    // the argument could not be decoded
	statusCount
)

// startMsg is the payload of the start frame.
type startMsg struct {
	nonce [nonceLen]byte
	name  string
	arg   []byte
}

// result is the payload of the result frame.
type result struct {
	status  byte
	message string
	stack   string
}

// appendHeader appends a frame header for a payload of n bytes.
func appendHeader(b []byte, kind byte, n int) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(n))
	return append(b, kind)
}

// encodeStart returns the complete start frame for m, or an error if m is
// too large for a frame.
func encodeStart(m startMsg) ([]byte, error) {
	n := nonceLen + 2 + len(m.name) + len(m.arg)
	if len(m.name) > 0xffff || n > maxFramePayload {
		return nil, fmt.Errorf("start frame of %d bytes exceeds the limit of %d", n, maxFramePayload)
	}
	b := make([]byte, 0, frameHeaderLen+n)
	b = appendHeader(b, kindStart, n)
	b = append(b, m.nonce[:]...)
	b = binary.BigEndian.AppendUint16(b, uint16(len(m.name)))
	b = append(b, m.name...)
	return append(b, m.arg...), nil
}

// decodeStart parses the payload of a start frame.
func decodeStart(p []byte) (startMsg, error) {
	var m startMsg
	if len(p) < nonceLen+2 {
		return m, fmt.Errorf("%w: start frame of %d bytes is too short", ErrFrame, len(p))
	}
	copy(m.nonce[:], p)
	p = p[nonceLen:]
	n := int(binary.BigEndian.Uint16(p))
	p = p[2:]
	if n > len(p) {
		return m, fmt.Errorf("%w: start frame names %d bytes, holds %d", ErrFrame, n, len(p))
	}
	m.name, m.arg = string(p[:n]), p[n:]
	return m, nil
}

// encodeResult returns the complete result frame for r. A message or stack
// too long for a frame is cut, so that a result can always be sent.
func encodeResult(r result) []byte {
	const room = maxFramePayload - 1 - 4
	msg, stack := r.message, r.stack
	if len(msg) > room {
		msg = msg[:room]
	}
	if len(msg)+len(stack) > room {
		stack = stack[:room-len(msg)]
	}
	n := 1 + 4 + len(msg) + len(stack)
	b := make([]byte, 0, frameHeaderLen+n)
	b = appendHeader(b, kindResult, n)
	b = append(b, r.status)
	b = binary.BigEndian.AppendUint32(b, uint32(len(msg)))
	b = append(b, msg...)
	return append(b, stack...)
}

// decodeResult parses the payload of a result frame.
func decodeResult(p []byte) (result, error) {
	var r result
	if len(p) < 5 {
		return r, fmt.Errorf("%w: result frame of %d bytes is too short", ErrFrame, len(p))
	}
	r.status = p[0]
	if r.status >= statusCount {
		return r, fmt.Errorf("%w: unknown result status %d", ErrFrame, r.status)
	}
	n := binary.BigEndian.Uint32(p[1:])
	p = p[5:]
	if uint64(n) > uint64(len(p)) {
		return r, fmt.Errorf("%w: result frame names a %d-byte message, holds %d bytes", ErrFrame, n, len(p))
	}
	r.message, r.stack = string(p[:n]), string(p[n:])
	return r, nil
}

// readFrame reads one frame of the given kind from r and returns its
// payload. It returns io.EOF if r ends before the first byte, and an error
// wrapping ErrFrame for a truncated, oversized or unexpected frame.
func readFrame(r io.Reader, kind byte) ([]byte, error) {
	var h [frameHeaderLen]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, fmt.Errorf("%w: truncated header", ErrFrame)
		}
		return nil, err
	}
	n := binary.BigEndian.Uint32(h[:])
	switch {
	case h[4] != kind:
		return nil, fmt.Errorf("%w: got kind %d, want %d", ErrFrame, h[4], kind)
	case n > maxFramePayload:
		return nil, fmt.Errorf("%w: payload of %d bytes exceeds the limit of %d", ErrFrame, n, maxFramePayload)
	}
	p := make([]byte, n)
	if _, err := io.ReadFull(r, p); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, fmt.Errorf("%w: truncated payload (%d bytes announced)", ErrFrame, n)
		}
		return nil, err
	}
	return p, nil
}
