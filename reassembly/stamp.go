package reassembly

import "time"

// Stamp is an instant as Unix seconds and nanoseconds, ordered as
// time.Time orders it. The tracker and the analyzer compare the capture
// time of every packet several times over; time.Time's After and Before
// are calls (about 8 ns each here, a tenth of the tracker's time per
// packet), while StampOf and Stamp's methods are inlined:
//
//	if StampOf(ts).After(StampOf(last)) // ts.After(last)
type Stamp struct {
	sec  int64
	nsec int32
}

// StampOf is t's instant (its wall clock; a monotonic reading is left out).
func StampOf(t time.Time) Stamp { return Stamp{t.Unix(), int32(t.Nanosecond())} }

// After tells whether a is later than b.
func (a Stamp) After(b Stamp) bool { return a.sec > b.sec || a.sec == b.sec && a.nsec > b.nsec }

// time is the instant as a time.Time in UTC: the same value as the
// time.Unix(sec, nsec).UTC() it was made from.
func (a Stamp) time() time.Time { return time.Unix(a.sec, int64(a.nsec)).UTC() }

// Before tells whether a is earlier than b.
func (a Stamp) Before(b Stamp) bool { return b.After(a) }
