// Package queue is the tutorial's Queue example: five child processes each
// put a square on one queue, and the parent takes them off.
//
// The Python original:
//
//	from multiprocessing import Process, Queue
//
//	def worker(q, n):
//	    q.put(n * n)
//
//	if __name__ == "__main__":
//	    q = Queue()
//	    processes = [Process(target=worker, args=(q, i)) for i in range(5)]
//
//	    for p in processes:
//	        p.start()
//	    for p in processes:
//	        p.join()
//
//	    results = [q.get() for _ in range(5)]
//	    print("Squares:", results)
//
// What it teaches: processes do not share Go variables, so results travel
// through a queue that all of them can reach. An [ipc.Queue] lives in
// shared memory and passes to a child as an argument, like the objects of
// package shm: the child puts into the parent's queue.
//
// The squares arrive in the order the children put them, which depends on
// which child the scheduler runs first; the tutorial's "[0, 1, 4, 9, 16]"
// is the likely order, not a promised one. [Run] sorts them before it
// prints, so its output is always
//
//	Squares: [0 1 4 9 16]
//
// As in the Python, the parent joins the children before it takes the
// results. That is safe here because the queue has a slot for every
// result, so no child waits for room; with more results than slots, take
// them before joining (see package queuesquares).
//
// `shmdemo queue` runs it.
package queue
