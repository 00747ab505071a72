package main

import "encoding/binary"

// rng is a xorshift64* generator: fast, deterministic, and good enough for
// payload bytes and workload choices (not for anything secret).
type rng struct{ s uint64 }

// newRNG seeds a generator from seed and a stream number with splitmix64, so
// each actor has its own independent stream whatever order actors run in.
func newRNG(seed, stream uint64) *rng {
	z := seed + stream*0x9e3779b97f4a7c15 + 0x9e3779b97f4a7c15
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	z ^= z >> 31
	if z == 0 {
		z = 1
	}
	return &rng{z}
}

func (r *rng) u64() uint64 {
	r.s ^= r.s >> 12
	r.s ^= r.s << 25
	r.s ^= r.s >> 27
	return r.s * 0x2545f4914f6cdd1d
}

// intn returns a number in [0, n); n must be positive.
func (r *rng) intn(n int) int { return int(r.u64() % uint64(n)) }

// between returns a number in [lo, hi].
func (r *rng) between(lo, hi int) int { return lo + r.intn(hi-lo+1) }

// chance reports true with probability pct percent.
func (r *rng) chance(pct int) bool { return r.intn(100) < pct }

// logUniform returns a size in [1, max] whose logarithm is uniform: many
// small files, a few large ones, as on real file servers.
func (r *rng) logUniform(max int) int {
	bits := 0
	for 1<<bits < max {
		bits++
	}
	n := 1 << r.intn(bits+1)
	n += r.intn(n)
	return min(n, max)
}

// fill writes pseudo-random bytes into b, eight at a time.
func (r *rng) fill(b []byte) {
	i := 0
	for ; i+8 <= len(b); i += 8 {
		binary.LittleEndian.PutUint64(b[i:], r.u64())
	}
	if i < len(b) {
		v := r.u64()
		for ; i < len(b); i++ {
			b[i] = byte(v)
			v >>= 8
		}
	}
}
