package ipc_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"strings"
	"testing"

	"github.com/shmkit/shmkit/internal/inherit"
	"github.com/shmkit/shmkit/ipc"
	"github.com/shmkit/shmkit/shm"
)

// Shared is the argument of addOne: shared objects travel as handles.
type Shared struct {
	Val *shm.Value[int32]
	Arr *shm.Array[int32]
}

// addOne is the tutorial's add_one(v, a): it changes memory its parent sees.
var addOne = ipc.Register("add-one", func(ctx context.Context, s Shared) error {
	s.Val.Add(1)
	return s.Arr.Update(func(a []int32) {
		for i := range a {
			a[i]++
		}
	})
})

// Example_shared is the tutorial's Value and Array program: the child
// changes shared memory, the parent sees the change.
func Example_shared() {
	val, err := shm.NewValue[int32](0)
	if err != nil {
		log.Fatal(err)
	}
	arr, err := shm.NewArray([]int32{1, 2, 3})
	if err != nil {
		log.Fatal(err)
	}
	p, err := addOne.Start(Shared{Val: val, Arr: arr})
	if err != nil {
		log.Fatal(err)
	}
	if err := p.Wait(context.Background()); err != nil {
		log.Fatal(err)
	}
	fmt.Println("Value:", val.Load())
	fmt.Println("Array:", arr.Slice())
	// Output:
	// Value: 1
	// Array: [2 3 4]
}

func TestProcess_Wait_AttachFailure(t *testing.T) {
	f, err := os.CreateTemp(t.TempDir(), "not-a-segment")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	const id = 1<<64 - 1 // after every real segment
	inherit.Add(id, f)
	p := noop.Command(struct{}{})
	start(t, p)
	inherit.Remove(id)
	err = wait(t, p)
	var e *ipc.ExitError
	if !errors.As(err, &e) || e.Code != 1 || !strings.Contains(e.Message, "attaching shared memory segment") {
		t.Fatalf("got %v, want an *ExitError with Code 1 about attaching the segment", err)
	}
}
