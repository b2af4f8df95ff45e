// Package queuesquares is the tutorial's exercise 2: "Use Queue to send
// data from worker processes back to the main process."
//
// The tutorial gives no solution; in Python it would read
//
//	from multiprocessing import Process, Queue
//
//	def worker(tasks, results):
//	    for n in iter(tasks.get, None):
//	        results.put((n, n * n))
//
//	if __name__ == "__main__":
//	    tasks, results = Queue(), Queue()
//	    workers = [Process(target=worker, args=(tasks, results)) for _ in range(4)]
//	    for p in workers:
//	        p.start()
//	    for n in range(1, 11):
//	        tasks.put(n)
//	    for _ in workers:
//	        tasks.put(None)
//	    squares = sorted(results.get() for _ in range(10))
//	    for p in workers:
//	        p.join()
//	    print("Squares:", [sq for _, sq in squares])
//
// What it teaches: the classic worker pattern with two queues. The main
// process puts the numbers on a task queue and then closes it (Go's
// [ipc.Queue.Close] takes the place of Python's None sentinels: a worker's
// Get returns the values left, then [ipc.ErrClosed]); each worker takes
// numbers as it is free and puts each result, the number with its square,
// on a result queue that the main process reads.
//
// Two details matter with queues between processes. The main process
// takes the results before it waits for the workers, not after: a worker
// blocked on a full result queue would never exit. And it puts the tasks
// from a goroutine of its own while it reads results, so that neither
// queue can fill up with both sides waiting, whatever the number of tasks.
//
// Which worker squares which number, and so the order in which results
// arrive, changes from run to run; the results carry their number, and
// [Run] sorts them by it. With [DefaultConfig] it prints
//
//	4 worker processes sent 10 results through the queue
//	Squares: [1 4 9 16 25 36 49 64 81 100]
//
// `shmdemo queue-squares` runs it; -workers and -n change the sizes.
package queuesquares
