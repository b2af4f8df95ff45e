package squares_test

import (
	"context"
	"log"
	"os"
	"testing"

	"github.com/shmkit/shmkit/internal/proctest"

	"github.com/shmkit/shmkit/demos/squares"
)

func TestMain(m *testing.M) { proctest.Main(m) }

// Example is exercise 1: four processes square the numbers 1 to 10 into a
// shared array, each its own block of numbers.
func Example() {
	if err := squares.Run(context.Background(), os.Stdout, squares.DefaultConfig()); err != nil {
		log.Fatal(err)
	}
	// Output:
	// process 1 squares 1 to 3
	// process 2 squares 4 to 6
	// process 3 squares 7 to 8
	// process 4 squares 9 to 10
	// Squares: [1 4 9 16 25 36 49 64 81 100]
}
