//go:build !amd64

package reassembly

// prefetchLine does nothing where no instruction is written for it: it
// is a hint (cacheline_amd64.s).
func prefetchLine(*dupBucket) {}
