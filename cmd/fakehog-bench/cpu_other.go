//go:build !unix

package main

// The process's CPU time where getrusage is missing: not measured.

// processCPU is not available on this platform.
func processCPU() (ns int64, ok bool) { return 0, false }
