package ipc

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// A child is told what it is by an environment variable, the marker:
//
//	SHMKIT_IPC_CHILD=1:<nonce, 32 hex digits>:<number of segment descriptors>
//
// The 1 is the protocol version. The nonce is repeated in the start frame,
// so a copied environment alone does not make a process a child. The
// control socket is descriptor 3 in the child, the segments 4, 5, ...
const (
	envVar        = "SHMKIT_IPC_CHILD"
	markerVersion = "1"

	controlFD      = 3    // the child's end of the control socket
	firstSegmentFD = 4    // the first inherited segment
	maxSegments    = 1024 // far above any real count, low enough to stay under fd limits
)

// marker is the parsed value of the environment variable.
type marker struct {
	nonce    [nonceLen]byte
	segments int
}

// newMarker returns a marker with a fresh random nonce.
func newMarker(segments int) marker {
	m := marker{segments: segments}
	rand.Read(m.nonce[:]) // never fails: crypto/rand crashes the program instead
	return m
}

// String formats m as the environment variable's value.
func (m marker) String() string {
	return markerVersion + ":" + hex.EncodeToString(m.nonce[:]) + ":" + strconv.Itoa(m.segments)
}

// parseMarker parses the environment variable's value.
func parseMarker(s string) (marker, error) {
	var m marker
	parts := strings.Split(s, ":")
	if len(parts) != 3 || parts[0] != markerVersion {
		return m, errors.New("not of the form " + markerVersion + ":<nonce>:<segments>")
	}
	if len(parts[1]) != 2*nonceLen {
		return m, fmt.Errorf("nonce of %d hex digits, want %d", len(parts[1]), 2*nonceLen)
	}
	if _, err := hex.Decode(m.nonce[:], []byte(parts[1])); err != nil {
		return m, fmt.Errorf("nonce: %w", err)
	}
	n, err := strconv.Atoi(parts[2])
	if err != nil || n < 0 || n > maxSegments {
		return m, fmt.Errorf("segment count %q out of range [0, %d]", parts[2], maxSegments)
	}
	m.segments = n
	return m, nil
}
