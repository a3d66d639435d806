//go:build !unix

package main

// processCPU is not available on this platform.
func processCPU() (ns int64, ok bool) { return 0, false }
