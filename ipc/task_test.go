package ipc

import (
	"errors"
	"testing"
)

func TestDecodeChunk_Checks(t *testing.T) {
	good, err := encodeChunk([]int32{1, 2, 3})
	if err != nil || good[0] != encodedRaw {
		t.Fatalf("encodeChunk of []int32: %v, %v (want raw)", good, err)
	}
	if got, err := decodeChunk[int32](good); err != nil || len(got) != 3 || got[2] != 3 {
		t.Fatalf("round trip: %v, %v", got, err)
	}
	for _, bad := range [][]byte{nil, {encodedRaw, 1, 2, 3}, {7, 1}, {encodedGob, 0xff}} {
		if _, err := decodeChunk[int32](bad); !errors.Is(err, ErrArgs) {
			t.Fatalf("decodeChunk(%v): got %v, want ErrArgs", bad, err)
		}
	}
	out := make([]int32, 2)
	if _, err := decodePart([]byte{encodedRaw, 1, 0, 0, 0}, 0, 2, out); err == nil {
		t.Fatal("decodePart of 1 value claimed as 2: got nil error")
	}
}
