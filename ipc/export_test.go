package ipc

// NewRawProcess returns a process that asks the child to run the function
// registered under name (registered or not) on arg, sent as is.
func NewRawProcess(name string, arg []byte) *Process {
	return newProcess(name, func() ([]byte, error) { return arg, nil })
}

// EnvVar is the name of the marker variable.
const EnvVar = envVar

// Pending returns how many of p's calls wait for a worker.
func Pending(p *Pool) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.pending)
}
