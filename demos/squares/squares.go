package squares

import (
	"context"
	"fmt"
	"io"

	"github.com/shmkit/shmkit/demos/internal/children"

	"github.com/shmkit/shmkit/ipc"
	"github.com/shmkit/shmkit/shm"
)

// Config says how many processes square which numbers.
type Config struct {
	Procs int // processes
	N     int // square the numbers 1 to N
}

// DefaultConfig is the exercise: 4 processes, the numbers 1 to 10.
func DefaultConfig() Config { return Config{Procs: 4, N: 10} }

// Limits of a Config.
const (
	MaxProcs = 64
	MaxN     = 100000
)

// Validate checks a Config, naming the first field that is wrong.
func (c Config) Validate() error {
	switch {
	case c.N < 1 || c.N > MaxN:
		return fmt.Errorf("squares: n %d: want 1 to %d", c.N, MaxN)
	case c.Procs < 1 || c.Procs > MaxProcs || c.Procs > c.N:
		return fmt.Errorf("squares: procs %d: want 1 to %d, and at most n (%d)", c.Procs, MaxProcs, c.N)
	}
	return nil
}

// Block is the numbers Lo to Hi, both included, that one process squares.
type Block struct{ Lo, Hi int }

// Split divides the numbers 1 to n into procs blocks of consecutive
// numbers whose lengths differ by at most one, the longer ones first.
func Split(n, procs int) []Block {
	blocks := make([]Block, procs)
	lo := 1
	for i := range blocks {
		size := n / procs
		if i < n%procs {
			size++
		}
		blocks[i] = Block{Lo: lo, Hi: lo + size - 1}
		lo += size
	}
	return blocks
}

// job is the argument of one process.
type job struct {
	Squares *shm.Array[int64] // element n-1 receives n²
	Block   Block
}

// squareBlock runs in a child process: it squares the numbers of its block
// into the shared array.
var squareBlock = ipc.Register("demos.squares.block", func(ctx context.Context, j job) error {
	for n := j.Block.Lo; n <= j.Block.Hi; n++ {
		j.Squares.Store(n-1, int64(n)*int64(n))
	}
	return nil
})

// Squares has cfg.Procs processes square the numbers 1 to cfg.N into
// shared memory, and returns the squares in order and the blocks of
// numbers each process had.
func Squares(ctx context.Context, cfg Config) ([]int64, []Block, error) {
	if err := cfg.Validate(); err != nil {
		return nil, nil, err
	}
	squares, err := shm.MakeArray[int64](cfg.N) // Array('q', n)
	if err != nil {
		return nil, nil, err
	}
	blocks := Split(cfg.N, cfg.Procs)
	procs := make([]*ipc.Process, 0, len(blocks))
	defer func() { children.Reap(procs) }() // on an early return: no child outlives Squares
	for i, b := range blocks {
		p, err := squareBlock.Start(job{Squares: squares, Block: b})
		if err != nil {
			return nil, nil, fmt.Errorf("squares: start process %d: %w", i+1, err)
		}
		procs = append(procs, p)
	}
	for i, p := range procs {
		if err := p.Wait(ctx); err != nil {
			return nil, nil, fmt.Errorf("squares: process %d: %w", i+1, err)
		}
	}
	return squares.Slice(), blocks, nil
}

// Run squares the numbers and writes to w which process squared which
// numbers, then the squares in order.
func Run(ctx context.Context, w io.Writer, cfg Config) error {
	squares, blocks, err := Squares(ctx, cfg)
	if err != nil {
		return err
	}
	for i, b := range blocks {
		if b.Lo == b.Hi {
			fmt.Fprintf(w, "process %d squares %d\n", i+1, b.Lo)
		} else {
			fmt.Fprintf(w, "process %d squares %d to %d\n", i+1, b.Lo, b.Hi)
		}
	}
	_, err = fmt.Fprintln(w, "Squares:", squares)
	return err
}
