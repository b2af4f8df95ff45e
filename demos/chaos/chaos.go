package chaos

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/shmkit/shmkit/ipc"
	"github.com/shmkit/shmkit/shm"
)

// Config describes a chaos run.
type Config struct {
	// Duration: rounds start until this much time has passed since the
	// run began; the first always does.
	Duration time.Duration
	// Rounds, if positive, stops the run after that many rounds, even
	// before Duration.
	Rounds int
	// Seed draws the plans of the rounds: the same seed gives the same
	// plans (who is killed, by which signal, when).
	Seed uint64
	// Bound is the deadline of every wait, in the workers and in the round
	// (DefaultBound if 0). A wait that reaches it is a hang. shmkit notices
	// dead processes within milliseconds; the bound is seconds, so that a
	// loaded machine is not taken for a hang.
	Bound time.Duration
	// Round, if not nil, is called after each round with its report.
	Round func(RoundReport)
}

// DefaultBound is the deadline of every wait when Config.Bound is 0.
const DefaultBound = 5 * time.Second

// Validate checks a Config.
func (c Config) Validate() error {
	switch {
	case c.Duration <= 0 && c.Rounds <= 0:
		return fmt.Errorf("chaos: duration %v and rounds %d: want a positive duration or number of rounds", c.Duration, c.Rounds)
	case c.Bound != 0 && c.Bound < 3*time.Second:
		return fmt.Errorf("chaos: bound %v: want 0 (the default, %v) or at least 3s", c.Bound, DefaultBound)
	}
	return nil
}

// Problem is a hang or a violated invariant, in the round that found it.
type Problem struct {
	Round int    `json:"round"`
	Kind  string `json:"kind"` // Hang or Violation
	What  string `json:"what"`
}

// Kinds of Problem.
const (
	Hang      = "hang"      // a wait reached its deadline: what waited, and for what
	Violation = "violation" // an invariant did not hold
)

// String formats p as "round N: kind: what".
func (p Problem) String() string { return fmt.Sprintf("round %d: %s: %s", p.Round, p.Kind, p.What) }

// RoundReport is what one round did and found.
type RoundReport struct {
	Round               int       `json:"round"`
	Kills               int       `json:"kills"`
	SIGKILLs            int       `json:"sigkills"`
	SIGTERMs            int       `json:"sigterms"`
	OwnerDeadRecoveries int       `json:"owner_dead_recoveries"`
	Deposits            int64     `json:"deposits"`
	Messages            int64     `json:"messages"` // delivered, each counted once
	LostMessages        int       `json:"lost_messages"`
	DuplicateMessages   int       `json:"duplicate_messages"`
	PoolTasks           int       `json:"pool_tasks"`
	PoolTasksFailed     int       `json:"pool_tasks_failed"` // each with an error naming its killed worker
	BarrierBroken       bool      `json:"barrier_broken"`    // by the death of a party, as planned
	Problems            []Problem `json:"problems,omitempty"`
	Seconds             float64   `json:"seconds"`
}

// Hangs counts the round's problems of kind Hang.
func (r RoundReport) Hangs() int { return r.count(Hang) }

// Violations counts the round's problems of kind Violation.
func (r RoundReport) Violations() int { return r.count(Violation) }

func (r RoundReport) count(kind string) int {
	n := 0
	for _, p := range r.Problems {
		if p.Kind == kind {
			n++
		}
	}
	return n
}

// Result sums up a run. Its JSON form is the output of
// `shmdemo chaos -json`.
type Result struct {
	Seed                uint64  `json:"seed"`
	Seconds             float64 `json:"seconds"`
	Rounds              int     `json:"rounds"`
	Kills               int     `json:"kills"`
	SIGKILLs            int     `json:"sigkills"`
	SIGTERMs            int     `json:"sigterms"`
	OwnerDeadRecoveries int     `json:"owner_dead_recoveries"`
	Hangs               int     `json:"hangs"`
	// InvariantViolations counts the violated invariants; a duplicated
	// message is one each.
	InvariantViolations int   `json:"invariant_violations"`
	LostMessages        int   `json:"lost_messages"` // all within the guarantee unless a violation says otherwise
	DuplicateMessages   int   `json:"duplicate_messages"`
	Deposits            int64 `json:"deposits"`
	Messages            int64 `json:"messages"`
	PoolTasks           int   `json:"pool_tasks"`
	PoolTasksFailed     int   `json:"pool_tasks_failed"`
	BarriersBroken      int   `json:"barriers_broken"`
	// Problems lists the hangs and violations, the first maxProblems of
	// them.
	Problems []Problem `json:"problems"`
}

// maxProblems bounds Result.Problems; the counts go on.
const maxProblems = 100

// OK reports whether the run found no hang and no violated invariant.
func (r Result) OK() bool { return r.Hangs == 0 && r.InvariantViolations == 0 }

func (r *Result) add(rep RoundReport) {
	r.Rounds++
	r.Kills += rep.Kills
	r.SIGKILLs += rep.SIGKILLs
	r.SIGTERMs += rep.SIGTERMs
	r.OwnerDeadRecoveries += rep.OwnerDeadRecoveries
	r.LostMessages += rep.LostMessages
	r.DuplicateMessages += rep.DuplicateMessages
	r.Deposits += rep.Deposits
	r.Messages += rep.Messages
	r.PoolTasks += rep.PoolTasks
	r.PoolTasksFailed += rep.PoolTasksFailed
	if rep.BarrierBroken {
		r.BarriersBroken++
	}
	r.addProblems(rep.Problems)
}

func (r *Result) addProblems(ps []Problem) {
	for _, p := range ps {
		if p.Kind == Hang {
			r.Hangs++
		} else {
			r.InvariantViolations++
		}
		if len(r.Problems) < maxProblems {
			r.Problems = append(r.Problems, p)
		}
	}
}

// Run runs rounds of the chaos workload until cfg.Duration has passed (or
// cfg.Rounds are done), and returns what they found. An error means the
// run could not be carried out (a process or segment could not be made,
// or ctx ended); what the rounds found is in the Result, with an error or
// not.
func Run(ctx context.Context, cfg Config) (res Result, err error) {
	if err := cfg.Validate(); err != nil {
		return Result{}, err
	}
	if cfg.Bound == 0 {
		cfg.Bound = DefaultBound
	}
	res = Result{Seed: cfg.Seed, Problems: []Problem{}}
	t0 := time.Now()
	defer func() { res.Seconds = time.Since(t0).Seconds() }()
	rs, err := newRunState(cfg)
	if err != nil {
		return res, err
	}
	defer func() { res.addProblems(rs.close()) }()
	for n := 1; n == 1 || ((cfg.Duration <= 0 || time.Since(t0) < cfg.Duration) && (cfg.Rounds <= 0 || n <= cfg.Rounds)); n++ {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		rep, err := runRound(ctx, rs, n)
		if err != nil {
			return res, fmt.Errorf("chaos: round %d: %w", n, err)
		}
		res.add(rep)
		if cfg.Round != nil {
			cfg.Round(rep)
		}
	}
	return res, nil
}

// runState is what lasts the whole run: the pool (whose workers the rounds
// kill and the pool replaces) and a segment its workers have mapped.
type runState struct {
	cfg     Config
	seg     *shm.Segment
	started *shm.Array[int64] // see poolRun
	pool    *ipc.Pool
}

func newRunState(cfg Config) (*runState, error) {
	// The segment comes first, so that the pool's workers inherit it.
	seg, err := shm.NewSegment(64 << 10)
	if err != nil {
		return nil, err
	}
	rs := &runState{cfg: cfg, seg: seg}
	if rs.started, err = shm.MakeArray[int64](batchSize, shm.In(seg)); err != nil {
		seg.Close()
		return nil, err
	}
	if rs.pool, err = ipc.NewPool(poolWorkers); err != nil {
		seg.Close()
		return nil, err
	}
	return rs, nil
}

// close closes the pool, waiting for its workers within the bound, and
// returns a hang if they did not exit.
func (rs *runState) close() []Problem {
	var ps []Problem
	rs.pool.Close()
	ctx, cancel := context.WithTimeout(context.Background(), rs.cfg.Bound)
	defer cancel()
	if err := rs.pool.Join(ctx); errors.Is(err, context.DeadlineExceeded) {
		ps = append(ps, Problem{Kind: Hang, What: fmt.Sprintf("pool: Join waited %v for the workers to exit after Close", rs.cfg.Bound)})
		rs.pool.Terminate()
	}
	rs.seg.Close()
	return ps
}

// hangPrefix starts the error of a worker whose wait reached its deadline.
const hangPrefix = "chaos: hang: "

// hangError is the error of a wait that reached its deadline bound.
func hangError(bound time.Duration, format string, args ...any) error {
	return fmt.Errorf("%s%s waited %v", hangPrefix, fmt.Sprintf(format, args...), bound)
}
