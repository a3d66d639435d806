//go:build !unix

package fake

// processCPU is not measured on this platform: cpu-ns/op then reads 0.
func processCPU() int64 { return 0 }
