// Package perf measures the figures of shmkit's performance table (the
// aims of DESIGN.md, section 3) for `shmdemo bench`: each row is a figure
// of ours next to a baseline measured in the same run, because these
// machines drift 20–50 % between runs for anything that enters the kernel,
// and only a ratio from one run means something.
//
// [Rows] lists the table, [Select] picks rows by JSON key or group, and
// [Run] measures them. The measurements run in this process and in child
// processes of this binary started with package ipc: their entry points
// are registered (ipc.Register, ipc.RegisterTask) when this package is
// initialized, so a program that imports it must call ipc.Main first
// thing in main, as shmdemo does.
//
// # Method
//
// Each measurement starts its children once, runs one repetition as a
// warm-up and throws its figures away, then runs the repetitions and
// takes the median of each figure. A repetition either runs for a time
// (300 ms; 100 ms with Config.Quick) and counts what was done, or does a
// fixed amount of work and is timed. Children and parent run the
// repetitions in step, meeting at a shm.Barrier at the start, the end and
// the report of each (see crew.go); the clock runs from the start to the
// end.
//
// Every repetition checks its own result, so that a fast wrong answer
// fails instead of passing: a counter under a lock or added to atomically
// must equal the sum of the operations each party counted; every queue or
// pipe message carries its sequence number and a check word, a single
// consumer must receive them in order, each once, and the count the
// producer reports; the consumers of the many-to-many queue record what
// they took in bitmaps, which merged must hold each message exactly once;
// a round trip must bring back the message just sent; the bank's balance
// must be exact; every task result of a pool or executor is compared; and
// the factorials of the pool and of the sequential run must have the same
// digests. A failed check is the row's [Result.Err].
//
// Every wait is bounded (a repetition fails after a minute or so rather
// than hang), a child that dies ends its measurement at once, and every
// child is reaped before its measurement returns.
package perf
