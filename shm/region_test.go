package shm_test

import (
	"bytes"
	"encoding/gob"
	"errors"
	"testing"

	"github.com/shmkit/shmkit/shm"
)

func TestRegion_New_ZeroAlignedAndShared(t *testing.T) {
	seg := newSegmentT(t, 64<<10)
	r, err := shm.NewRegion(1000, shm.In(seg), shm.Named("buf"))
	if err != nil {
		t.Fatal(err)
	}
	if r.Len() != 1000 || len(r.Bytes()) != 1000 || cap(r.Bytes()) != 1000 {
		t.Fatalf("Len %d, len %d, cap %d, want 1000", r.Len(), len(r.Bytes()), cap(r.Bytes()))
	}
	if !bytes.Equal(r.Bytes(), make([]byte, 1000)) {
		t.Fatal("a new region is not zero")
	}
	copy(r.Bytes(), "hello")
	again, err := shm.LookupRegion(seg, "buf")
	if err != nil {
		t.Fatal(err)
	}
	if got := string(again.Bytes()[:5]); got != "hello" {
		t.Fatalf("looked-up region holds %q, want hello (the same memory)", got)
	}
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(r); err != nil {
		t.Fatal(err)
	}
	var dec shm.Region
	if err := gob.NewDecoder(&buf).Decode(&dec); err != nil {
		t.Fatal(err)
	}
	dec.Bytes()[5] = '!'
	if got := string(r.Bytes()[:6]); got != "hello!" {
		t.Fatalf("decoded region wrote elsewhere: %q", got)
	}
	if _, err := shm.LookupValue[int64](seg, "buf"); !errors.Is(err, shm.ErrType) {
		t.Fatalf("LookupValue of a region: got %v, want ErrType", err)
	}
	objs, err := seg.Objects()
	if err != nil || len(objs) != 1 || objs[0].Kind != "region" || objs[0].Len != 1000 {
		t.Fatalf("Objects: got %+v, %v", objs, err)
	}
}

func TestRegion_New_BadSize(t *testing.T) {
	if _, err := shm.NewRegion(-1); !errors.Is(err, shm.ErrSize) {
		t.Fatalf("NewRegion(-1): got %v, want ErrSize", err)
	}
	r, err := shm.NewRegion(0)
	if err != nil || r.Len() != 0 {
		t.Fatalf("NewRegion(0): got %v, %v", r, err)
	}
}
