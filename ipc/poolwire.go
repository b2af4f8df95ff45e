package ipc

import (
	"encoding/binary"
	"fmt"
)

// The messages between a pool and its workers, on shared-memory queues of
// byte messages. Each begins with a kind byte:
//
//	task    [1][id u64][name length u16][name][chunk of gob-encoded arguments]
//	part    [2][id u64][first u32][count u32][gob-encoded part of the results]
//	failed  [3][id u64][error text]                 (the whole chunk failed)
//	exited  [4][slot u32][generation u32]           (put by the pool itself)
//	ready   [5][slot u32][generation u32]           (a worker about to take its first task)
const (
	msgTask   = 1
	msgPart   = 2
	msgFailed = 3
	msgExited = 4
	msgReady  = 5
)

func taskMsg(id uint64, name string, chunk []byte) []byte {
	b := make([]byte, 0, 11+len(name)+len(chunk))
	b = append(b, msgTask)
	b = binary.LittleEndian.AppendUint64(b, id)
	b = binary.LittleEndian.AppendUint16(b, uint16(len(name)))
	b = append(b, name...)
	return append(b, chunk...)
}

func partMsg(id uint64, first, count int, payload []byte) []byte {
	b := make([]byte, 0, 17+len(payload))
	b = append(b, msgPart)
	b = binary.LittleEndian.AppendUint64(b, id)
	b = binary.LittleEndian.AppendUint32(b, uint32(first))
	b = binary.LittleEndian.AppendUint32(b, uint32(count))
	return append(b, payload...)
}

func failedMsg(id uint64, text string) []byte {
	b := append([]byte{msgFailed}, binary.LittleEndian.AppendUint64(nil, id)...)
	return append(b, text...)
}

func exitedMsg(slot, gen int) []byte { return slotMsg(msgExited, slot, gen) }

func readyMsg(slot, gen int) []byte { return slotMsg(msgReady, slot, gen) }

// slotMsg is a message about the worker process of a slot and generation.
func slotMsg(kind byte, slot, gen int) []byte {
	b := []byte{kind}
	b = binary.LittleEndian.AppendUint32(b, uint32(slot))
	return binary.LittleEndian.AppendUint32(b, uint32(gen))
}

// poolMsg is a decoded message. Decoding checks every length: the bytes
// come from another process.
type poolMsg struct {
	kind         byte
	id           uint64
	name         string
	first, count int
	payload      []byte
	slot, gen    int
}

func parsePoolMsg(b []byte) (poolMsg, error) {
	bad := func(what string) (poolMsg, error) {
		return poolMsg{}, fmt.Errorf("%w: pool message of %d bytes: %s", ErrFrame, len(b), what)
	}
	if len(b) == 0 {
		return bad("empty")
	}
	m := poolMsg{kind: b[0]}
	switch m.kind {
	case msgTask:
		if len(b) < 11 {
			return bad("short task header")
		}
		m.id = binary.LittleEndian.Uint64(b[1:])
		n := int(binary.LittleEndian.Uint16(b[9:]))
		if len(b) < 11+n {
			return bad("task name beyond the end")
		}
		m.name, m.payload = string(b[11:11+n]), b[11+n:]
	case msgPart:
		if len(b) < 17 {
			return bad("short part header")
		}
		m.id = binary.LittleEndian.Uint64(b[1:])
		m.first = int(binary.LittleEndian.Uint32(b[9:]))
		m.count = int(binary.LittleEndian.Uint32(b[13:]))
		m.payload = b[17:]
	case msgFailed:
		if len(b) < 9 {
			return bad("short failure header")
		}
		m.id, m.payload = binary.LittleEndian.Uint64(b[1:]), b[9:]
	case msgExited, msgReady:
		if len(b) != 9 {
			return bad("bad worker notice")
		}
		m.slot = int(binary.LittleEndian.Uint32(b[1:]))
		m.gen = int(binary.LittleEndian.Uint32(b[5:]))
	default:
		return bad(fmt.Sprintf("unknown kind %d", m.kind))
	}
	return m, nil
}
