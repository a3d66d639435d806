//go:build unix

package fake

import "syscall"

// processCPU is the CPU time (user + system, all threads, GC included) the process has
// used, in nanoseconds. On a shared machine it drifts far less than wall time.
func processCPU() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
