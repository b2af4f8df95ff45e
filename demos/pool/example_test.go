package pool_test

import (
	"context"
	"log"
	"os"
	"testing"

	"github.com/shmkit/shmkit/internal/proctest"

	"github.com/shmkit/shmkit/demos/pool"
)

func TestMain(m *testing.M) { proctest.Main(m) }

// Example runs the tutorial's Pool example: map returns the squares in the
// order of the numbers, whichever worker computed each.
func Example() {
	if err := pool.Run(context.Background(), os.Stdout); err != nil {
		log.Fatal(err)
	}
	// Output:
	// [0 1 4 9 16 25 36 49 64 81]
}
