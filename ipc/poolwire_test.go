package ipc

import (
	"bytes"
	"testing"
)

func TestPoolMsg_RoundTrip(t *testing.T) {
	cases := []struct {
		name string
		b    []byte
		want poolMsg
	}{
		{"task", taskMsg(7, "sq", []byte{1, 2}), poolMsg{kind: msgTask, id: 7, name: "sq", payload: []byte{1, 2}}},
		{"part", partMsg(9, 3, 4, []byte("r")), poolMsg{kind: msgPart, id: 9, first: 3, count: 4, payload: []byte("r")}},
		{"failed", failedMsg(5, "boom"), poolMsg{kind: msgFailed, id: 5, payload: []byte("boom")}},
		{"exited", exitedMsg(2, 6), poolMsg{kind: msgExited, slot: 2, gen: 6}},
		{"ready", readyMsg(3, 7), poolMsg{kind: msgReady, slot: 3, gen: 7}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parsePoolMsg(tc.b)
			if err != nil {
				t.Fatal(err)
			}
			if got.kind != tc.want.kind || got.id != tc.want.id || got.name != tc.want.name || got.first != tc.want.first ||
				got.count != tc.want.count || got.slot != tc.want.slot || got.gen != tc.want.gen || !bytes.Equal(got.payload, tc.want.payload) {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
		})
	}
	for _, bad := range [][]byte{nil, {0}, {msgTask, 1}, {msgTask, 1, 0, 0, 0, 0, 0, 0, 0, 200, 0}, {msgPart, 1, 2}, {msgFailed}, {msgExited, 1}, {msgReady, 1, 0, 0, 0, 0, 0, 0, 0, 0}, {99}} {
		if _, err := parsePoolMsg(bad); err == nil {
			t.Fatalf("parsePoolMsg(%v): got nil error", bad)
		}
	}
}

// FuzzPoolMsg: any bytes a worker or a corrupt queue could hand the pool
// give an error or a message whose fields lie within the input.
func FuzzPoolMsg(f *testing.F) {
	f.Add(taskMsg(1, "demos.square", []byte("chunk")))
	f.Add(partMsg(2, 0, 3, []byte("results")))
	f.Add(failedMsg(3, "error text"))
	f.Add(exitedMsg(1, 2))
	f.Add(readyMsg(1, 2))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := parsePoolMsg(b)
		if err != nil {
			return
		}
		if len(m.payload) > len(b) || len(m.name) > len(b) {
			t.Fatalf("message %+v claims more than the %d bytes given", m, len(b))
		}
	})
}
