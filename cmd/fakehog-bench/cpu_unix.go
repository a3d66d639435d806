//go:build unix

package main

// The process's CPU time (user + system, from getrusage), for cpu-ns/op.

import "syscall"

// processCPU is the CPU time (user + system, all threads) this process has used.
func processCPU() (ns int64, ok bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	return ru.Utime.Nano() + ru.Stime.Nano(), true
}
