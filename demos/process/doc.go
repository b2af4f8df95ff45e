// Package process is the tutorial's first example: two child processes,
// each printing a line, and the parent waiting for both.
//
// The Python original:
//
//	from multiprocessing import Process
//
//	def task(name):
//	    print(f"Running {name}")
//
//	if __name__ == "__main__":
//	    p1 = Process(target=task, args=("Process-1",))
//	    p2 = Process(target=task, args=("Process-2",))
//
//	    p1.start()
//	    p2.start()
//
//	    p1.join()
//	    p2.join()
//
//	    print("All processes finished!")
//
// What it teaches: a child process runs a function of its own program
// (registered with [ipc.Register], since Go cannot fork: the child is this
// binary started again and finds the function by its name), start begins
// it, and join (Wait) waits for it to end.
//
// Both children run at once, as in Python, so their lines may come in
// either order on a terminal. [Run] prints them in a fixed order all the
// same: each child's standard output goes to a buffer of its own
// ([ipc.Process.Stdout]), and once both have been waited for, the buffers
// are printed in the order the children were started. Waiting for each
// child before starting the next would fix the order too, but the children
// would no longer run at the same time, which is the point of the example.
//
// `shmdemo process` runs it.
package process
