package valuearray

import (
	"context"
	"fmt"
	"io"

	"github.com/shmkit/shmkit/ipc"
	"github.com/shmkit/shmkit/shm"
)

// shared is the argument of the child (Python: args=(val, arr)): the Value
// and the Array travel as handles to the same shared memory.
type shared struct {
	Val *shm.Value[int32]
	Arr *shm.Array[int32]
}

// addOne runs in a child process (Python: def add_one(val, arr)).
var addOne = ipc.Register("demos.valuearray.addOne", func(ctx context.Context, s shared) error {
	s.Val.Add(1)
	for i := range s.Arr.Len() {
		s.Arr.Add(i, 1)
	}
	return nil
})

// Run makes the Value and the Array, has a child add one to each number,
// and writes what the parent then reads to w.
func Run(ctx context.Context, w io.Writer) error {
	val, err := shm.NewValue[int32](0) // Value('i', 0)
	if err != nil {
		return err
	}
	arr, err := shm.NewArray([]int32{1, 2, 3}) // Array('i', [1, 2, 3])
	if err != nil {
		return err
	}
	p, err := addOne.Start(shared{Val: val, Arr: arr})
	if err != nil {
		return fmt.Errorf("valuearray: start: %w", err)
	}
	if err := p.Wait(ctx); err != nil {
		p.Kill()
		p.Wait(context.Background())
		return fmt.Errorf("valuearray: %w", err)
	}
	_, err = fmt.Fprintf(w, "Value: %d\nArray: %v\n", val.Load(), arr.Slice())
	return err
}
