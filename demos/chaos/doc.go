// Package chaos is a reliability test of shmkit under fire: rounds of a
// mixed workload of processes (bank deposits under a shared lock, a queue
// between producers and consumers, a pool mapping tasks, a barrier) while
// some of those processes are killed with SIGKILL or SIGTERM at random
// moments, and after each round an exact check of what the survivors and
// the shared memory say. `shmdemo chaos` runs it; `make test` runs a short
// run (through the tests of cmd/shmdemo) and `make soak` a long one.
//
// # A round
//
// Each round has a plan drawn from the run's seed and the round's number
// (so a seed replays the same plans; where each kill lands is up to the
// scheduler): how long the workers work (250 to 500 ms), the queue's
// capacity (2 to 16), and the kills: 1 or 2 of the 3 depositors, 0 or 1 of
// the 2 producers, 0 or 1 of the 2 consumers, 1 or 2 pool workers and 1 of
// the 3 barrier parties, each by SIGKILL or SIGTERM (which the workers do
// not handle, so it kills them where they stand, too). The round's objects
// live in a segment of their own, unmapped when the round ends; the pool
// lives through the run, and replaces the workers the rounds kill.
//
// Every wait is bounded ([Config.Bound], 5 s by default): each Lock, Put,
// Get and Barrier.Wait of the workers, the round's own waits (the pool's
// results, the barrier, the audit) and the exit of every process after the
// round tells it to stop. A wait that reaches its deadline is a hang, and
// is reported with what was waiting and for what. shmkit promises to
// notice a dead lock owner, queue slot holder or barrier party within
// milliseconds; the bound leaves room for a machine loaded with the race
// detector and a dozen processes on two cores.
//
// # The invariants
//
// Bank. The account is package bank's ledger with its undo record
// (demos/bank), with one commit counter per depositor, all under one lock,
// stored in an order that leaves a repairable state wherever a depositor
// dies. A depositor that takes the lock from a dead one gets
// shm.ErrOwnerDead, rolls back the half-made deposit and marks the lock
// consistent. After the round, under the lock: the balance equals the
// initial balance plus the amount times the sum of the commit counters,
// to the unit; each surviving depositor counted exactly the deposits
// committed in its name; the lock was taken over from dead owners no more
// often than depositors died. owner_dead_recoveries counts those
// takeovers (shm.Mutex.Recoveries).
//
// Queue. Each message carries its producer, its number and a checksum.
// Each producer records the number of the Put it begins and, once Put has
// returned, how many it has put; each consumer counts every message it
// gets, per message, in shared memory, and checks that each producer's
// messages come in order. After the round (producers stopped, the queue
// closed, the consumers done), every message is checked: received twice is
// a duplicate (a violation); received but never put is a violation;
// acknowledged but never received is lost, and the losses must not exceed
// the killed consumers (each, taking one message at a time with Get, may
// take the one in its hands: the queue's guarantee); the message a killed
// producer was putting may be lost. lost_messages counts both kinds of loss; only losses beyond the
// guarantee are violations.
//
// Pool. The round maps batches of tasks with ipc.ImapUnordered, one task a
// chunk; each task records the pid of the worker running it in shared
// memory (a Pool does not publish its workers' pids), and the round kills
// workers it finds running a task. Every task must yield exactly once:
// its correct result, or an *ipc.TaskError whose Exit names a worker the
// round killed, with the signal it was sent; and each killed worker may
// cost only the one task in its hands.
//
// Barrier. Three parties and the round's process pass a first generation
// (each arrival index once); in the second, once the three wait, one is
// killed, and the two others, then the round's process, must get
// shm.ErrBrokenBarrier. (The victim is killed only once it waits: a party
// that dies before it arrives cannot be told from a late one, as
// shm.Barrier says.)
//
// Besides: a worker that fails in any way other than the planned signal
// is a violation, unless it reports a hang.
package chaos
