package ipc_test

import (
	"context"
	"fmt"
	"log"

	"github.com/shmkit/shmkit/ipc"
)

// task is the Go twin of the tutorial's task(name). Registered at package
// level, it is known to every copy of the binary; Main, the first line of
// main (here of TestMain), runs it in the children.
var task = ipc.Register("task", func(ctx context.Context, name string) error {
	fmt.Printf("Running %s\n", name)
	return nil
})

// Example is the tutorial's first program: two children, each printing a
// line. The children print to the parent's standard output, as in Python.
// Each is waited for before the next starts, so that the output is in a
// fixed order.
func Example() {
	ctx := context.Background()
	for _, name := range []string{"Process-1", "Process-2"} {
		p, err := task.Start(name)
		if err != nil {
			log.Fatal(err)
		}
		if err := p.Wait(ctx); err != nil {
			log.Fatal(err)
		}
	}
	fmt.Println("All processes finished!")
	// Output:
	// Running Process-1
	// Running Process-2
	// All processes finished!
}

// brew fails, as functions do.
var brew = ipc.Register("brew", func(ctx context.Context, what string) error {
	return fmt.Errorf("out of %s", what)
})

// ExampleExitError shows what a parent learns of a child's failure.
func ExampleExitError() {
	p, err := brew.Start("coffee")
	if err != nil {
		log.Fatal(err)
	}
	err = p.Wait(context.Background())
	if e, ok := err.(*ipc.ExitError); ok {
		fmt.Println(e.Code, e.Message)
	}
	// Output:
	// 1 out of coffee
}

// The tutorial's Pool example: with Pool(4) as pool: pool.map(square, range(10)).
func ExampleMap() {
	pool, err := ipc.NewPool(4)
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Terminate()
	results, err := ipc.Map(context.Background(), pool, square, []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(results)
	// Output: [0 1 4 9 16 25 36 49 64 81]
}

var cube = ipc.RegisterTask("example.cube", func(ctx context.Context, n int) (int, error) { return n * n * n, nil })

// The tutorial's ProcessPoolExecutor example: list(executor.map(cube, range(6))).
func ExampleNewExecutor() {
	executor, err := ipc.NewExecutor(3)
	if err != nil {
		log.Fatal(err)
	}
	defer executor.Shutdown(context.Background(), true, false)
	results, err := ipc.Map(context.Background(), executor, cube, []int{0, 1, 2, 3, 4, 5})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(results)
	// Output: [0 1 8 27 64 125]
}
