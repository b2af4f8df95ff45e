package factorial

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"math/big"
	"math/bits"
	"runtime"
	"slices"
	"time"

	"github.com/shmkit/shmkit/ipc"
)

// ErrMismatch is returned by [Compute] when a result of the pool differs
// from the sequential one.
var ErrMismatch = errors.New("factorial: the pool's result differs from the sequential one")

// Limits of a Config.
const (
	MaxN       = 100000 // the largest number whose factorial is computed
	MaxNumbers = 64     // the most numbers in one run
	MaxWorkers = 64
)

// Config says whose factorials to compute, and with how many workers.
type Config struct {
	Ns      []int // compute the factorial of each
	Workers int   // worker processes of the pool
}

// DefaultConfig is the factorials of 20000, 21000, ... 27000, with a worker
// per CPU.
func DefaultConfig() Config {
	return Config{Ns: []int{20000, 21000, 22000, 23000, 24000, 25000, 26000, 27000}, Workers: runtime.NumCPU()}
}

// Validate checks a Config, naming the first field that is wrong.
func (c Config) Validate() error {
	switch {
	case len(c.Ns) == 0 || len(c.Ns) > MaxNumbers:
		return fmt.Errorf("factorial: %d numbers: want 1 to %d", len(c.Ns), MaxNumbers)
	case c.Workers < 1 || c.Workers > MaxWorkers:
		return fmt.Errorf("factorial: workers %d: want 1 to %d", c.Workers, MaxWorkers)
	}
	for _, n := range c.Ns {
		if n < 0 || n > MaxN {
			return fmt.Errorf("factorial: n %d: want 0 to %d", n, MaxN)
		}
	}
	return nil
}

// Factorial returns n!, computed as the tutorial's Python would: one
// multiplication after another. It returns ctx.Err() if ctx ends first.
//
// The result's room is reserved once, from the size of n! (see words), so
// the loop multiplies in place and allocates nothing: a worker process's
// fresh heap would otherwise grow by a page fault at a time as the number
// outgrows its room (about 1,100 reallocations and 27 MB for 27000!).
func Factorial(ctx context.Context, n int) (*big.Int, error) {
	r := new(big.Int).SetBits(make([]big.Word, 0, words(n)))
	r.SetInt64(1)
	var m big.Int
	for i := 2; i <= n; i++ {
		if i%1024 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		r.Mul(r, m.SetInt64(int64(i)))
	}
	return r, nil
}

// words returns how many big.Words n! takes, or one more: log2(n!) bits
// from the log-gamma function, plus a word of margin for its rounding. A
// short estimate would cost only a reallocation, not a wrong result.
func words(n int) int {
	lg, _ := math.Lgamma(float64(n) + 1)
	return int(lg/math.Ln2)/bits.UintSize + 2
}

// Digest stands for a factorial: enough to compare two of them, and to
// show one, in a few bytes.
type Digest struct {
	N       int    `json:"n"`
	Digits  int    `json:"digits"`        // decimal digits of N!
	Leading string `json:"leading"`       // its first digits, up to LeadingDigits
	SHA256  string `json:"sha256_digits"` // SHA-256 of all its decimal digits, in hex
}

// LeadingDigits is how many first digits a Digest keeps.
const LeadingDigits = 20

// DigestOf returns the digest of f, the factorial of n.
func DigestOf(n int, f *big.Int) Digest {
	s := f.String()
	sum := sha256.Sum256([]byte(s))
	return Digest{N: n, Digits: len(s), Leading: s[:min(len(s), LeadingDigits)], SHA256: hex.EncodeToString(sum[:])}
}

// digest computes the factorial of n and returns its digest: the work of
// one task, the same in this process and in a worker.
func digest(ctx context.Context, n int) (Digest, error) {
	f, err := Factorial(ctx, n)
	if err != nil {
		return Digest{}, err
	}
	return DigestOf(n, f), nil
}

// task runs in the pool's workers.
var task = ipc.RegisterTask("demos.factorial.digest", digest)

// Report is what [Compute] measured.
type Report struct {
	Workers    int           // the pool's worker processes
	CPUs       int           // the CPUs this process could use
	Results    []Digest      // in the order of Config.Ns; the same both ways
	Sequential time.Duration // one factorial after another, in this process
	Pool       time.Duration // on the pool, starting it included
	Started    time.Duration // the same map again, on the pool once started
}

// Speedup returns how many times faster the pool was: the sequential time
// over the pool's, or 0 if the pool's time is 0.
func (r Report) Speedup() float64 {
	if r.Pool <= 0 {
		return 0
	}
	return float64(r.Sequential) / float64(r.Pool)
}

// StartedSpeedup returns how many times faster the pool was once started:
// the sequential time over the second map's, or 0 if that is 0. It is the
// speed-up of a long-lived pool, which starts its workers once.
func (r Report) StartedSpeedup() float64 {
	if r.Started <= 0 {
		return 0
	}
	return float64(r.Sequential) / float64(r.Started)
}

// Compute computes the factorials of cfg.Ns sequentially, then on a pool
// of cfg.Workers processes (one number a task, the largest first, so that
// the workers finish together), timed with the pool's start, then once
// more on the pool started; it compares the results, and reports them with
// the three times.
func Compute(ctx context.Context, cfg Config) (Report, error) {
	if err := cfg.Validate(); err != nil {
		return Report{}, err
	}
	rep := Report{Workers: cfg.Workers, CPUs: runtime.NumCPU(), Results: make([]Digest, len(cfg.Ns))}
	t0 := time.Now()
	for i, n := range cfg.Ns {
		d, err := digest(ctx, n)
		if err != nil {
			return Report{}, err
		}
		rep.Results[i] = d
	}
	rep.Sequential = time.Since(t0)

	t0 = time.Now()
	pool, err := ipc.NewPool(cfg.Workers)
	if err != nil {
		return Report{}, err
	}
	err = poolMap(ctx, pool, cfg.Ns, rep.Results)
	rep.Pool = time.Since(t0)
	if err == nil {
		t0 = time.Now()
		err = poolMap(ctx, pool, cfg.Ns, rep.Results)
		rep.Started = time.Since(t0)
	}
	if err != nil {
		pool.Terminate()
		return Report{}, err
	}
	pool.Close()
	if err := pool.Join(ctx); err != nil {
		pool.Terminate()
		return Report{}, err
	}
	return rep, nil
}

// poolMap computes the digests of ns on pool and compares them with want,
// the sequential ones.
func poolMap(ctx context.Context, pool *ipc.Pool, ns []int, want []Digest) error {
	byCost := LargestFirst(ns)
	given := make([]int, len(byCost))
	for i, j := range byCost {
		given[i] = ns[j]
	}
	got, err := ipc.Map(ctx, pool, task, given, ipc.ChunkSize(1))
	if err != nil {
		return err
	}
	if len(got) != len(given) {
		return fmt.Errorf("factorial: the pool returned %d results for %d numbers", len(got), len(given))
	}
	for i, j := range byCost {
		if d := got[i]; d != want[j] {
			return fmt.Errorf("%w: %d! sequentially: %d digits, SHA-256 %s; from the pool: %d digits, SHA-256 %s",
				ErrMismatch, ns[j], want[j].Digits, want[j].SHA256, d.Digits, d.SHA256)
		}
	}
	return nil
}

// LargestFirst returns the indexes of ns in the order their factorials are
// given to the pool (and to any other set of workers): the largest (the longest to compute) first. Handed
// out in this order, the tasks keep every worker busy to the end; in
// increasing order, the last and largest one runs alone while the other
// workers have nothing left (20000! to 27000! on 2 workers: 4 % longer).
func LargestFirst(ns []int) []int {
	idx := make([]int, len(ns))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return ns[b] - ns[a] })
	return idx
}
