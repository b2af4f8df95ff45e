package chaos

import (
	"errors"
	"fmt"
	"syscall"

	"github.com/shmkit/shmkit/ipc"
	"github.com/shmkit/shmkit/shm"
)

// The checks of a round work on plain values read from shared memory once
// every process of the round is gone, so that tests can feed them crafted
// states. Each returns what it counted and a description of every
// violation it found.

// bankView is a round's account after the round, read under its lock.
type bankView struct {
	Initial, Amount int64
	Balance         int64
	Completed       []int64 // per depositor: its commit counter in the account
	Reported        []int64 // per depositor: the deposits it counted itself, stored as it ended (-1: never stored)
	Killed          []bool  // per depositor: killed by the plan
	OwnerDeadSeen   int64   // ErrOwnerDead recoveries recorded in the account, under its lock
	Recoveries      int     // the lock's own count of takeovers from dead owners
}

// checkBank checks that the balance is the initial balance plus the amount
// times the sum of the depositors' commit counters, to the unit; that each
// depositor that survived counted exactly the deposits committed in its
// name; and that the lock was taken over from dead owners no more often
// than depositors were killed.
func checkBank(v bankView) (deposits int64, problems []string) {
	killed := 0
	for w, c := range v.Completed {
		if c < 0 {
			problems = append(problems, fmt.Sprintf("bank: depositor %d has a negative commit counter %d", w, c))
		}
		deposits += c
		if v.Killed[w] {
			killed++
			continue
		}
		if v.Reported[w] != c {
			problems = append(problems, fmt.Sprintf("bank: depositor %d survived and made %d deposits, but %d are committed in its name", w, v.Reported[w], c))
		}
	}
	if want := v.Initial + v.Amount*deposits; v.Balance != want {
		problems = append(problems, fmt.Sprintf("bank: balance %d, want %d = %d + %d × %d completed deposits (off by %+d)",
			v.Balance, want, v.Initial, v.Amount, deposits, v.Balance-want))
	}
	if v.Recoveries > killed {
		problems = append(problems, fmt.Sprintf("bank: the lock was recovered from a dead owner %d times, but only %d depositors were killed", v.Recoveries, killed))
	}
	if v.OwnerDeadSeen > int64(v.Recoveries) {
		problems = append(problems, fmt.Sprintf("bank: %d ErrOwnerDead recoveries recorded, but the lock counts %d takeovers", v.OwnerDeadSeen, v.Recoveries))
	}
	return deposits, problems
}

// queueView is what a round's queue delivered, as the consumers (and the
// final drain) recorded it.
type queueView struct {
	MaxSeq          int
	Recv            [][]int32 // [producer][seq]: how many times the message was received
	Attempt         []int64   // per producer: the seq of the Put it began last (-1: none)
	Acked           []int64   // per producer: how many of its Puts returned nil
	ProducerKilled  []bool
	ConsumersKilled int
	OrderBad        int64 // receipts of a producer's message after a later one, by one consumer
	Garbage         int64 // messages that failed their checksum or were out of range
}

// queueCounts is what checkQueue counted.
type queueCounts struct {
	Delivered  int64 // distinct messages received
	Lost       int   // messages put (or in the hands of a killed producer) that never arrived
	Duplicates int   // receipts beyond the first of a message
}

// maxShown bounds the examples a check lists for one kind of problem.
const maxShown = 5

// checkQueue checks the queue's guarantees after a round:
//
//   - no message is received twice (each receipt beyond the first is a
//     duplicate and a violation);
//   - no message arrives that was never put;
//   - every message whose Put returned arrives, except that each killed
//     consumer may take the one message in its hands with it: more losses
//     than killed consumers are a violation;
//   - the message a killed producer was putting when it died may be lost
//     (counted in Lost, not a violation);
//   - each consumer sees one producer's messages in the order they were
//     put, and none is torn.
func checkQueue(v queueView) (c queueCounts, problems []string) {
	var lostAcked []string
	for p, recv := range v.Recv {
		acked, inHand := v.Acked[p], v.ProducerKilled[p] && v.Attempt[p] == v.Acked[p]
		dups, ghosts := 0, 0
		for seq, n := range recv {
			s := int64(seq)
			if n > 0 {
				c.Delivered++
			}
			if n > 1 {
				c.Duplicates += int(n) - 1
				if dups++; dups <= maxShown {
					problems = append(problems, fmt.Sprintf("queue: message (producer %d, seq %d) delivered %d times", p, seq, n))
				}
			}
			switch {
			case s < acked && n == 0:
				c.Lost++
				lostAcked = append(lostAcked, fmt.Sprintf("(%d,%d)", p, seq))
			case s == acked && inHand && n == 0:
				c.Lost++ // the killed producer's message in hand: within the guarantee
			case (s > acked || (s == acked && !inHand)) && n > 0:
				if ghosts++; ghosts <= maxShown {
					problems = append(problems, fmt.Sprintf("queue: message (producer %d, seq %d) arrived but was never put (%d puts returned)", p, seq, acked))
				}
			}
		}
		if dups > maxShown {
			problems = append(problems, fmt.Sprintf("queue: and %d more messages of producer %d delivered more than once", dups-maxShown, p))
		}
		if ghosts > maxShown {
			problems = append(problems, fmt.Sprintf("queue: and %d more messages of producer %d arrived but were never put", ghosts-maxShown, p))
		}
	}
	if len(lostAcked) > v.ConsumersKilled {
		shown := lostAcked[:min(len(lostAcked), maxShown)]
		problems = append(problems, fmt.Sprintf("queue: %d messages whose Put returned never arrived %v, but only %d consumers were killed (each may lose the one in its hands)",
			len(lostAcked), shown, v.ConsumersKilled))
	}
	if v.OrderBad > 0 {
		problems = append(problems, fmt.Sprintf("queue: %d times a consumer received a producer's message after a later one of the same producer", v.OrderBad))
	}
	if v.Garbage > 0 {
		problems = append(problems, fmt.Sprintf("queue: %d messages received torn or out of range", v.Garbage))
	}
	return c, problems
}

// poolOutcome is one result yielded by ipc.ImapUnordered.
type poolOutcome struct {
	Index int
	Value poolOut
	Err   error
}

// poolView is a batch of pool tasks after the batch.
type poolView struct {
	Args     []poolTask
	Outcomes []poolOutcome
	Killed   map[int]syscall.Signal // pool workers killed so far this round: pid → signal
}

// checkPool checks that every task of a batch yielded exactly once, either
// its correct result or a *ipc.TaskError whose Exit names a worker this
// round killed (its pid and the signal sent); and it returns, per killed
// pid, how many tasks failed with it, for checkPoolFailures.
func checkPool(v poolView) (failedBy map[int]int, problems []string) {
	failedBy = map[int]int{}
	seen := make([]int, len(v.Args))
	for _, o := range v.Outcomes {
		if o.Index < 0 || o.Index >= len(v.Args) {
			problems = append(problems, fmt.Sprintf("pool: result for index %d of a batch of %d", o.Index, len(v.Args)))
			continue
		}
		seen[o.Index]++
		if o.Err == nil {
			if want := v.Args[o.Index].X * v.Args[o.Index].X; o.Value.Square != want {
				problems = append(problems, fmt.Sprintf("pool: task %d returned %d, want %d", o.Index, o.Value.Square, want))
			}
			continue
		}
		var te *ipc.TaskError
		switch {
		case !errors.As(o.Err, &te) || te.Exit == nil:
			problems = append(problems, fmt.Sprintf("pool: task %d failed without naming a dead worker: %v", o.Index, o.Err))
		case v.Killed[te.Exit.Pid] == 0:
			problems = append(problems, fmt.Sprintf("pool: task %d failed naming pid %d, which was not killed: %v", o.Index, te.Exit.Pid, o.Err))
		case te.Exit.Signal != v.Killed[te.Exit.Pid]:
			problems = append(problems, fmt.Sprintf("pool: task %d failed naming pid %d with signal %v, but it was sent %v", o.Index, te.Exit.Pid, te.Exit.Signal, v.Killed[te.Exit.Pid]))
		default:
			failedBy[te.Exit.Pid]++
		}
	}
	for i, n := range seen {
		if n != 1 {
			problems = append(problems, fmt.Sprintf("pool: task %d yielded %d times, want once", i, n))
		}
	}
	return failedBy, problems
}

// checkPoolFailures checks that each killed worker cost at most the one
// task in its hands (the tasks are sent one a chunk).
func checkPoolFailures(failedBy map[int]int) (problems []string) {
	for pid, n := range failedBy {
		if n > 1 {
			problems = append(problems, fmt.Sprintf("pool: %d tasks failed with the death of worker %d, want at most the one in its hands", n, pid))
		}
	}
	return problems
}

// Outcomes of a barrier party's second wait, stored in shared memory.
const (
	gen2None   = 0 // never returned: the victim, or a party that died otherwise
	gen2Broken = 1 // ErrBrokenBarrier, as it should
	gen2Passed = 2 // the generation completed although a party is dead
	gen2Other  = 3 // another error
)

// barrierView is a round's barrier after the round.
type barrierView struct {
	Gen1       []int // arrival index of each child party in the first generation (-1: none)
	ParentGen1 int   // the parent's
	Gen2       []int // each child party's outcome of the second wait (gen2None...)
	Victim     int   // the child party killed while waiting in the second generation
	ParentGen2 error // the parent's second wait, after the others returned
}

// checkBarrier checks that the first generation completed with one arrival
// index for each party, and that after a party died waiting in the second,
// every other party, the parent included, got shm.ErrBrokenBarrier.
func checkBarrier(v barrierView) (problems []string) {
	seen := map[int]int{v.ParentGen1: 1}
	for _, i := range v.Gen1 {
		seen[i]++
	}
	for i := range len(v.Gen1) + 1 {
		if seen[i] != 1 {
			problems = append(problems, fmt.Sprintf("barrier: first generation arrival indexes %v (parent %d), want each of 0 to %d once", v.Gen1, v.ParentGen1, len(v.Gen1)))
			break
		}
	}
	for i, g := range v.Gen2 {
		switch {
		case i == v.Victim && g != gen2None:
			problems = append(problems, fmt.Sprintf("barrier: the victim, party %d, returned from its wait (outcome %d) before it was killed", i, g))
		case i != v.Victim && g == gen2Passed:
			problems = append(problems, fmt.Sprintf("barrier: party %d passed the second generation although party %d died waiting", i, v.Victim))
		case i != v.Victim && g != gen2Broken:
			problems = append(problems, fmt.Sprintf("barrier: party %d: second wait ended with outcome %d, want ErrBrokenBarrier", i, g))
		}
	}
	if !errors.Is(v.ParentGen2, shm.ErrBrokenBarrier) {
		problems = append(problems, fmt.Sprintf("barrier: the parent's second wait: got %v, want ErrBrokenBarrier", v.ParentGen2))
	}
	return problems
}
