package ipc

import (
	"bytes"
	"context"
	"encoding/gob"
	"fmt"
	"runtime/debug"
	"sync"

	"github.com/shmkit/shmkit/internal/ring"
)

// TaskFunc is a function registered by [RegisterTask], for pool workers to
// run: pass it to [Map], [Imap], [Apply], [Submit] and the others.
type TaskFunc[A, R any] struct {
	name string
	fn   func(ctx context.Context, arg A) (R, error)
}

// RegisterTask names fn as a task that pool workers can run. Like
// [Register], call it at package level or in init, so that every copy of
// the binary, workers included, registers the same names. It panics if
// name is empty, fn is nil, or name is already taken by another task.
//
// Arguments and results of fixed size (numbers, and arrays and structs of
// numbers, as for [Queue]) travel as their bytes; any others are encoded
// with encoding/gob, so their exported fields (or their
// encoding.BinaryMarshaler, as for shared objects of package shm) must
// hold all they need.
func RegisterTask[A, R any](name string, fn func(ctx context.Context, arg A) (R, error)) *TaskFunc[A, R] {
	if name == "" {
		panic("ipc: RegisterTask called with an empty name")
	}
	if fn == nil {
		panic("ipc: RegisterTask called with a nil function for name " + name)
	}
	f := &TaskFunc[A, R]{name: name, fn: fn}
	tasks.Lock()
	defer tasks.Unlock()
	if _, dup := tasks.m[name]; dup {
		panic("ipc: RegisterTask called twice for name " + name)
	}
	if tasks.m == nil {
		tasks.m = map[string]taskRunner{}
	}
	tasks.m[name] = f
	return f
}

// Name returns the name f was registered under.
func (f *TaskFunc[A, R]) Name() string { return f.name }

// tasks maps task names to their functions, in parent and workers alike.
var tasks struct {
	sync.Mutex
	m map[string]taskRunner
}

// taskRunner is the type-erased side of a TaskFunc, used by workers.
type taskRunner interface {
	// runChunk decodes a chunk of arguments, runs the function on each and
	// returns the encoded outcomes, split so that each part fits max bytes.
	runChunk(ctx context.Context, chunk []byte, max int) ([]encodedPart, error)
}

func lookupTask(name string) (taskRunner, bool) {
	tasks.Lock()
	defer tasks.Unlock()
	t, ok := tasks.m[name]
	return t, ok
}

// itemFailure is how a failed item of a chunk travels back.
type itemFailure struct {
	Index    int // within the part
	Message  string
	Panicked bool
	Stack    string
}

// part is a slice of a chunk's outcomes: results for the items from first
// on, and the failures among them (indexed within the part).
type part[R any] struct {
	first    int // not encoded: travels in the message header
	Results  []R
	Failures []itemFailure
}

// encodedPart is a part ready to send.
type encodedPart struct {
	first, count int
	b            []byte
}

func encodeGob(v any) ([]byte, error) {
	var b bytes.Buffer
	err := gob.NewEncoder(&b).Encode(v)
	return b.Bytes(), err
}

func decodeGob(b []byte, v any) error { return gob.NewDecoder(bytes.NewReader(b)).Decode(v) }

// Chunks of arguments and parts of results start with how they are
// encoded: the raw bytes of a slice of a fixed-size type (the queue's own
// rule: numbers, and arrays and structs of numbers, whose bytes are their
// value in every copy of this binary), or gob for anything else.
const (
	encodedGob = 0
	encodedRaw = 1
)

// encodeChunk encodes arguments for a worker.
func encodeChunk[A any](args []A) ([]byte, error) {
	if enc, _ := encodingOf[A](); enc == encRaw {
		return append([]byte{encodedRaw}, ring.BytesOfSlice(args)...), nil
	}
	b, err := encodeGob(envelope[[]A]{args})
	if err != nil {
		return nil, fmt.Errorf("%w: encoding %s: %w", ErrArgs, typeName[A](), err)
	}
	return append([]byte{encodedGob}, b...), nil
}

// decodeChunk decodes what encodeChunk encoded.
func decodeChunk[A any](b []byte) ([]A, error) {
	if len(b) > 0 && b[0] == encodedRaw {
		return decodeRaw[A](b[1:])
	}
	var env envelope[[]A]
	if len(b) == 0 || b[0] != encodedGob {
		return nil, fmt.Errorf("%w: chunk of %s of %d bytes without its encoding", ErrArgs, typeName[A](), len(b))
	}
	if err := decodeGob(b[1:], &env); err != nil {
		return nil, fmt.Errorf("%w: decoding %s: %w", ErrArgs, typeName[A](), err)
	}
	return env.V, nil
}

// decodeRaw copies the raw bytes of a slice of fixed-size T into a new
// slice, checking that they make whole values.
func decodeRaw[T any](b []byte) ([]T, error) {
	enc, size := encodingOf[T]()
	if enc != encRaw || (size == 0 && len(b) != 0) || (size != 0 && len(b)%size != 0) {
		return nil, fmt.Errorf("%w: %d raw bytes are no whole number of %s", ErrArgs, len(b), typeName[T]())
	}
	n := 0
	if size != 0 {
		n = len(b) / size
	}
	out := make([]T, n)
	copy(ring.BytesOfSlice(out), b)
	return out, nil
}

// encodePart encodes part of a chunk's results: raw when R is fixed-size
// and nothing failed, gob otherwise.
func encodePart[R any](p part[R]) ([]byte, error) {
	if enc, _ := encodingOf[R](); enc == encRaw && len(p.Failures) == 0 {
		return append([]byte{encodedRaw}, ring.BytesOfSlice(p.Results)...), nil
	}
	b, err := encodeGob(p)
	if err != nil {
		return nil, fmt.Errorf("%w: encoding results of %s: %w", ErrArgs, typeName[R](), err)
	}
	return append([]byte{encodedGob}, b...), nil
}

// runChunk implements taskRunner.
func (f *TaskFunc[A, R]) runChunk(ctx context.Context, chunk []byte, max int) ([]encodedPart, error) {
	args, err := decodeChunk[A](chunk)
	if err != nil {
		return nil, err
	}
	p := part[R]{Results: make([]R, len(args))}
	for i, a := range args {
		r, fail := f.call(ctx, a)
		if fail != nil {
			fail.Index = i
			p.Failures = append(p.Failures, *fail)
			continue
		}
		p.Results[i] = r
	}
	return splitPart(p, max)
}

// call runs the function on one argument, turning an error or a panic
// into an itemFailure.
func (f *TaskFunc[A, R]) call(ctx context.Context, a A) (r R, fail *itemFailure) {
	defer func() {
		if v := recover(); v != nil {
			fail = &itemFailure{Message: fmt.Sprint(v), Panicked: true, Stack: string(debug.Stack())}
		}
	}()
	r, err := f.fn(ctx, a)
	if err != nil {
		return r, &itemFailure{Message: err.Error()}
	}
	return r, nil
}

// splitPart encodes p, halving it until every piece fits max bytes. A
// single result that does not fit becomes that item's failure.
func splitPart[R any](p part[R], max int) ([]encodedPart, error) {
	b, err := encodePart(p)
	if err != nil {
		return nil, err
	}
	if len(b) <= max {
		return []encodedPart{{first: p.first, count: len(p.Results), b: b}}, nil
	}
	if len(p.Results) <= 1 {
		q := part[R]{first: p.first, Results: make([]R, len(p.Results))}
		if len(p.Results) == 1 {
			q.Failures = []itemFailure{{Message: fmt.Sprintf("%v: result encoded in %d bytes, more than the %d a message holds", ErrTooLarge, len(b), max)}}
		}
		return splitPart(q, max)
	}
	h := len(p.Results) / 2
	lo := part[R]{first: p.first, Results: p.Results[:h]}
	hi := part[R]{first: p.first + h, Results: p.Results[h:]}
	for _, f := range p.Failures {
		if f.Index < h {
			lo.Failures = append(lo.Failures, f)
		} else {
			f.Index -= h
			hi.Failures = append(hi.Failures, f)
		}
	}
	a, err := splitPart(lo, max)
	if err != nil {
		return nil, err
	}
	c, err := splitPart(hi, max)
	return append(a, c...), err
}

// decodePart decodes the outcomes of items first..first+count-1 of a chunk
// into out (the chunk's results) and returns the failures, with their
// indexes within the chunk.
func decodePart[R any](b []byte, first, count int, out []R) ([]itemFailure, error) {
	var p part[R]
	switch {
	case len(b) > 0 && b[0] == encodedRaw:
		res, err := decodeRaw[R](b[1:])
		if err != nil {
			return nil, err
		}
		p.Results = res
	case len(b) > 0 && b[0] == encodedGob:
		if err := decodeGob(b[1:], &p); err != nil {
			return nil, fmt.Errorf("%w: decoding results of %s: %w", ErrArgs, typeName[R](), err)
		}
	default:
		return nil, fmt.Errorf("%w: results of %s of %d bytes without their encoding", ErrArgs, typeName[R](), len(b))
	}
	if len(p.Results) != count || first < 0 || first+count > len(out) {
		return nil, fmt.Errorf("%w: part of %d results for items [%d, %d) of %d", ErrFrame, len(p.Results), first, first+count, len(out))
	}
	copy(out[first:], p.Results)
	for i := range p.Failures {
		if p.Failures[i].Index < 0 || p.Failures[i].Index >= count {
			return nil, fmt.Errorf("%w: failure of item %d in a part of %d", ErrFrame, p.Failures[i].Index, count)
		}
		p.Failures[i].Index += first
	}
	return p.Failures, nil
}
