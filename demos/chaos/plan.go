package chaos

import (
	"math/rand/v2"
	"slices"
	"syscall"
	"time"
)

// The workers of every round.
const (
	depositors  = 3
	producers   = 2
	consumers   = 2
	parties     = 3 // barrier party processes; the round's own process is one more
	poolWorkers = 2
)

// role is a kind of worker that the plan kills.
type role int

const (
	roleDepositor role = iota
	roleProducer
	roleConsumer
	rolePoolWorker
)

func (r role) String() string {
	return [...]string{"depositor", "producer", "consumer", "pool worker"}[r]
}

// kill is one planned kill: at that time after the round's workers are all
// running, the worker of that role and index (for a pool worker: whichever
// runs a task then) gets the signal.
type kill struct {
	at    time.Duration
	role  role
	index int
	sig   syscall.Signal
}

// plan is what a round does, drawn from the run's seed and the round's
// number alone: the same seed gives the same plans. (What the workers are
// doing at the moment a kill lands is up to the scheduler.)
type plan struct {
	dur      time.Duration // how long the workers work before the round stops them
	queueCap int
	kills    []kill // by time
	seed     uint64 // for the pool's task durations and the choice among running workers

	barrierAt     time.Duration // when the round's process joins the barrier's first generation
	barrierVictim int
	barrierSig    syscall.Signal
	barrierDelay  time.Duration // from every party waiting in the second generation to the kill
}

// newPlan draws round n's plan: 1 or 2 of the 3 depositors killed, 0 or 1
// of the 2 producers, 0 or 1 of the 2 consumers (so that one is left to
// drain the queue), 1 or 2 pool workers, and 1 of the 3 barrier parties,
// each by SIGKILL or SIGTERM with even odds, at moments spread over the
// round.
func newPlan(seed uint64, n int) plan {
	rng := rand.New(rand.NewPCG(seed, uint64(n)))
	p := plan{
		dur:      time.Duration(250+rng.IntN(250)) * time.Millisecond,
		queueCap: []int{2, 4, 8, 16}[rng.IntN(4)],
		seed:     rng.Uint64(),
	}
	at := func() time.Duration { return time.Duration(rng.Int64N(int64(p.dur - 20*time.Millisecond))) }
	sig := func() syscall.Signal {
		if rng.IntN(2) == 0 {
			return syscall.SIGKILL
		}
		return syscall.SIGTERM
	}
	for _, i := range rng.Perm(depositors)[:1+rng.IntN(2)] {
		p.kills = append(p.kills, kill{at: at(), role: roleDepositor, index: i, sig: sig()})
	}
	switch rng.IntN(4) {
	case 1:
		p.kills = append(p.kills, kill{at: at(), role: roleProducer, index: rng.IntN(producers), sig: sig()})
	case 2:
		p.kills = append(p.kills, kill{at: at(), role: roleConsumer, index: rng.IntN(consumers), sig: sig()})
	case 3:
		p.kills = append(p.kills, kill{at: at(), role: roleProducer, index: rng.IntN(producers), sig: sig()},
			kill{at: at(), role: roleConsumer, index: rng.IntN(consumers), sig: sig()})
	}
	for range 1 + rng.IntN(2) {
		p.kills = append(p.kills, kill{at: at(), role: rolePoolWorker, sig: sig()})
	}
	slices.SortStableFunc(p.kills, func(a, b kill) int { return int(a.at - b.at) })
	p.barrierAt = at() / 2
	p.barrierVictim = rng.IntN(parties)
	p.barrierSig = sig()
	p.barrierDelay = time.Duration(rng.IntN(20)) * time.Millisecond
	return p
}
