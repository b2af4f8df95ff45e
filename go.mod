module github.com/shmkit/shmkit

go 1.26.8

require (
	github.com/anishathalye/porcupine v1.3.1
	github.com/edsrzf/mmap-go v1.2.0
	golang.org/x/sys v0.50.0
	golang.org/x/term v0.48.0
)
