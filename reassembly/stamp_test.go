package reassembly

import (
	"testing"
	"time"
)

// FuzzStamp: stamps order instants as time.Time does, whatever the zone,
// for the zero time, and for times before 1970 or far beyond; a packet's
// stamp, made without its time.Time, is that time.Time's, even when its
// nanoseconds overflow a second (a damaged record).
func FuzzStamp(f *testing.F) {
	f.Add(int64(1704067200), int64(6680000), int64(1704067200), int64(6680001), 0)
	f.Add(int64(-62135596800), int64(0), int64(0), int64(0), 3600) // the zero time against 1970
	f.Add(int64(-1), int64(999999999), int64(0), int64(0), -7200)
	f.Add(int64(1<<40), int64(5), int64(-1<<40), int64(5), 19800)
	f.Add(int64(1704067200), int64(4294967295), int64(0), int64(0), 0)
	f.Fuzz(func(t *testing.T, asec, ansec, bsec, bnsec int64, zone int) {
		m := packetMeta{sec: asec, nsec: uint32(ansec)}
		if got, want := m.stamp(), StampOf(m.captureInfo().Timestamp); got != want {
			t.Fatalf("packet at %d s %d ns: stamp %+v, its time's %+v", m.sec, m.nsec, got, want)
		}
		a := time.Unix(asec, ansec)
		b := time.Unix(bsec, bnsec).In(time.FixedZone("z", zone%(26*3600)))
		for _, p := range [][2]time.Time{{a, b}, {b, a}, {a, a}, {time.Time{}, a}, {a, time.Time{}}} {
			x, y := p[0], p[1]
			if got, want := StampOf(x).After(StampOf(y)), x.After(y); got != want {
				t.Fatalf("StampOf(%v).After(StampOf(%v)) = %v, time.Time says %v", x, y, got, want)
			}
			if got, want := StampOf(x).Before(StampOf(y)), x.Before(y); got != want {
				t.Fatalf("StampOf(%v).Before(StampOf(%v)) = %v, time.Time says %v", x, y, got, want)
			}
		}
	})
}
