package factorial_test

import (
	"context"
	"log"
	"os"
	"testing"
	"time"

	"github.com/shmkit/shmkit/internal/proctest"

	"github.com/shmkit/shmkit/demos/factorial"
)

func TestMain(m *testing.M) { proctest.Main(m) }

// Example is exercise 3 on small numbers: the factorials computed
// sequentially and by a pool of two workers agree. (The times, which
// change from run to run, are left out; see ExampleRenderTimes.)
func Example() {
	cfg := factorial.Config{Ns: []int{10, 20, 25, 1000}, Workers: 2}
	rep, err := factorial.Compute(context.Background(), cfg)
	if err != nil {
		log.Fatal(err)
	}
	if err := factorial.RenderResults(os.Stdout, rep); err != nil {
		log.Fatal(err)
	}
	// Output:
	// N     DIGITS  FIRST DIGITS
	// 10    7       3628800
	// 20    19      2432902008176640000
	// 25    26      15511210043330985984…
	// 1000  2568    40238726007709377354…
	// The pool of 2 workers computed the same digits as the sequential run.
}

// ExampleRenderTimes draws the table and the bar chart of exercise 3 for
// fixed times.
func ExampleRenderTimes() {
	rep := factorial.Report{Workers: 2, CPUs: 2, Sequential: 348900 * time.Microsecond,
		Pool: 233800 * time.Microsecond, Started: 190200 * time.Microsecond}
	if err := factorial.RenderTimes(os.Stdout, rep); err != nil {
		log.Fatal(err)
	}
	// Output:
	// METHOD                 TIME  SPEED-UP
	// sequential         348.9 ms     1.00×
	// pool, 2 workers    233.8 ms     1.49×
	// pool, started      190.2 ms     1.83×
	//
	// sequential       ████████████████████████████████████████  348.9 ms
	// pool, 2 workers  ██████████████████████████▊               233.8 ms
	// pool, started    █████████████████████▊                    190.2 ms
	//
	// Speed-up 1.49× with a pool of 2 workers on 2 CPUs, its start included; 1.83× once started.
}
