package ipc

import (
	"bytes"
	"encoding/gob"
	"fmt"
	"reflect"
	"sync"
)

// Codec turns the values of a [Queue] whose element type is not of fixed
// size into bytes and back. Unmarshal is given a pointer to a zero value.
// A Codec must be safe for concurrent use, and each message must decode on
// its own (a consumer sees only some of them).
type Codec interface {
	Marshal(v any) ([]byte, error)
	Unmarshal(data []byte, v any) error
}

// codecs maps the names given to RegisterCodec to their codecs.
var codecs = struct {
	sync.Mutex
	m map[string]Codec
}{m: map[string]Codec{"gob": gobCodec{}}}

// RegisterCodec names c for [WithCodec]. As with [Register], call it at
// package level or in init, so that a child process that receives a queue
// finds the codec under the same name. The name "gob" is taken by the
// default codec. RegisterCodec panics if name is empty or taken, or c is
// nil.
func RegisterCodec(name string, c Codec) {
	if name == "" || c == nil {
		panic("ipc: RegisterCodec called with an empty name or a nil codec")
	}
	codecs.Lock()
	defer codecs.Unlock()
	if _, dup := codecs.m[name]; dup {
		panic("ipc: RegisterCodec called twice for name " + name)
	}
	codecs.m[name] = c
}

func lookupCodec(name string) (Codec, error) {
	codecs.Lock()
	defer codecs.Unlock()
	c, ok := codecs.m[name]
	if !ok {
		return nil, fmt.Errorf("%w %q not registered", ErrCodec, name)
	}
	return c, nil
}

// gobCodec is the default codec: each message is a gob stream of its own,
// carrying its type description, so that any consumer can decode it.
type gobCodec struct{}

func (gobCodec) Marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	err := gob.NewEncoder(&b).Encode(v)
	return b.Bytes(), err
}

func (gobCodec) Unmarshal(data []byte, v any) error {
	return gob.NewDecoder(bytes.NewReader(data)).Decode(v)
}

// How a queue carries its values.
const (
	encCodec = iota // through a Codec
	encRaw          // fixed-size: the value's bytes, copied
	encBytes        // []byte: the bytes themselves
)

// encodingOf returns how values of T travel, and their size when raw.
func encodingOf[T any]() (enc, size int) {
	t := reflect.TypeFor[T]()
	switch {
	case t == reflect.TypeFor[[]byte]():
		return encBytes, 0
	case fixedSize(t):
		return encRaw, int(t.Size())
	}
	return encCodec, 0
}

// fixedSize reports whether t is made of numbers only (booleans, integers,
// floats, complex numbers, and arrays and structs of them): no pointer,
// slice, string, map, channel, function or interface, so that its bytes
// are its value in any process of the same binary.
func fixedSize(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64, reflect.Complex64, reflect.Complex128:
		return true
	case reflect.Array:
		return fixedSize(t.Elem())
	case reflect.Struct:
		for i := range t.NumField() {
			if !fixedSize(t.Field(i).Type) {
				return false
			}
		}
		return true
	}
	return false
}
