package valuearray_test

import (
	"context"
	"log"
	"os"
	"testing"

	"github.com/shmkit/shmkit/internal/proctest"

	"github.com/shmkit/shmkit/demos/valuearray"
)

func TestMain(m *testing.M) { proctest.Main(m) }

// Example runs the tutorial's Value and Array example: the child's
// additions are seen by the parent.
func Example() {
	if err := valuearray.Run(context.Background(), os.Stdout); err != nil {
		log.Fatal(err)
	}
	// Output:
	// Value: 1
	// Array: [2 3 4]
}
