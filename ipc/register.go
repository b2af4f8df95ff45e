package ipc

import (
	"bytes"
	"context"
	"encoding/gob"
	"fmt"
	"reflect"
	"sync"

	"github.com/shmkit/shmkit/internal/ring"
)

// registry maps a registered name to its function, in parent and child alike.
var registry struct {
	sync.Mutex
	funcs map[string]entry
}

// entry is the type-erased side of a *Func[A], used by the child.
type entry interface {
	// bind decodes arg and returns the call of the function on it.
	bind(arg []byte) (func(context.Context) error, error)
}

// envelope carries the argument through gob. Wrapping it in a struct lets
// gob carry values it refuses at top level, such as a nil pointer.
type envelope[A any] struct{ V A }

// Func is a function registered under a name by [Register]; its Command and
// Start methods create child processes that run it.
type Func[A any] struct {
	name string
	fn   func(ctx context.Context, arg A) error
}

// Register names fn as an entry point for child processes, so that a
// re-executed copy of this binary finds it. Call it at package level or in
// init, so that the child registers the same names before [Main] looks them
// up; a name registered only in main is unknown to children.
//
// In the child, fn's context is canceled when the parent goes away; the
// child then exits, 250 ms later at the latest (see the package doc). The
// child exits when fn returns, as a program does when main returns.
//
// Register panics if name is empty, fn is nil, or name is already taken.
// An argument of fixed size (numbers, and arrays and structs of numbers,
// as for [Queue]) travels to the child as its bytes, every field with it;
// any other is encoded with encoding/gob, so A's exported fields (or its
// encoding.BinaryMarshaler) must hold all it needs.
func Register[A any](name string, fn func(ctx context.Context, arg A) error) *Func[A] {
	if name == "" {
		panic("ipc: Register called with an empty name")
	}
	if fn == nil {
		panic("ipc: Register called with a nil function for name " + name)
	}
	f := &Func[A]{name: name, fn: fn}
	registry.Lock()
	defer registry.Unlock()
	if _, dup := registry.funcs[name]; dup {
		panic("ipc: Register called twice for name " + name)
	}
	if registry.funcs == nil {
		registry.funcs = make(map[string]entry)
	}
	registry.funcs[name] = f
	return f
}

// lookup returns the function registered under name.
func lookup(name string) (entry, bool) {
	registry.Lock()
	defer registry.Unlock()
	e, ok := registry.funcs[name]
	return e, ok
}

// Name returns the name f was registered under.
func (f *Func[A]) Name() string { return f.name }

// Command returns an unstarted [Process] that will run f with arg in a child.
// As with exec.Command, its fields may be set before [Process.Start]. The
// argument is encoded at Start, so changes to it until then are seen.
func (f *Func[A]) Command(arg A) *Process {
	return newProcess(f.name, func() ([]byte, error) { return encodeArg(arg) })
}

// Start is Command(arg) followed by [Process.Start].
func (f *Func[A]) Start(arg A) (*Process, error) {
	p := f.Command(arg)
	if err := p.Start(); err != nil {
		return nil, err
	}
	return p, nil
}

// bind implements entry.
func (f *Func[A]) bind(b []byte) (func(context.Context) error, error) {
	var env envelope[A]
	if enc, size := encodingOf[A](); enc == encRaw {
		if len(b) != size {
			return nil, fmt.Errorf("%w: decoding %s: %d bytes, want %d", ErrArgs, typeName[A](), len(b), size)
		}
		copy(ring.BytesOf(&env.V), b)
	} else if err := gob.NewDecoder(bytes.NewReader(b)).Decode(&env); err != nil {
		return nil, fmt.Errorf("%w: decoding %s: %w", ErrArgs, typeName[A](), err)
	}
	return func(ctx context.Context) error { return f.fn(ctx, env.V) }, nil
}

// encodeArg encodes arg for the start frame: an argument of fixed size
// (see fixedSize) as its bytes, as a Queue carries it, for a child is
// this same binary; any other with gob. The bytes spare a child gob's
// decoding of a type description (compiling a decoder for it), a good
// part of what a child's start costs after the runtime's own.
func encodeArg[A any](arg A) ([]byte, error) {
	if enc, _ := encodingOf[A](); enc == encRaw {
		return bytes.Clone(ring.BytesOf(&arg)), nil
	}
	var b bytes.Buffer
	if err := gob.NewEncoder(&b).Encode(envelope[A]{arg}); err != nil {
		return nil, fmt.Errorf("%w: encoding %s: %w", ErrArgs, typeName[A](), err)
	}
	return b.Bytes(), nil
}

func typeName[A any]() string { return reflect.TypeFor[A]().String() }
