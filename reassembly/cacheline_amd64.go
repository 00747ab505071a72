package reassembly

// prefetchLine asks the core to bring the cache line at b into its cache
// without waiting for it (PREFETCHT0): a hint, which changes nothing but
// the time.
//
//go:noescape
func prefetchLine(b *dupBucket)
