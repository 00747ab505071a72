package analyzer

import (
	"crypto/sha256"
	"encoding/binary"
	"math/bits"
	"net/netip"
	"time"
)

// uidDigits is how many base-62 digits hold the 96 bits of a uid, as in
// Zeek's connection uids ("C" and 17 digits here, always).
const uidDigits = 17

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// ConnUID names a connection by what identifies it in the capture (a
// session by its control connection's): the two endpoints (in a fixed
// order, so a guess at which side is the client changes nothing) and the
// time of its first packet, to the nanosecond. The same capture gives the same uid on every run, read
// alone or with other captures, so records from different runs and files
// can be joined; Zeek's uids, random per run, cannot. Two connections
// between the same endpoints that began in the same nanosecond are one.
// The Zeek and ECS outputs name data connections with it too.
func ConnUID(a, b netip.AddrPort, first time.Time) string {
	if b.Addr().Less(a.Addr()) || (b.Addr() == a.Addr() && b.Port() < a.Port()) {
		a, b = b, a
	}
	h := sha256.New()
	h.Write([]byte("ftptrace session uid v1\x00"))
	for _, e := range []netip.AddrPort{a, b} {
		ip := e.Addr().As16()
		h.Write(ip[:])
		h.Write([]byte(e.Addr().Zone() + "\x00"))
		h.Write(binary.BigEndian.AppendUint16(nil, e.Port()))
	}
	h.Write(binary.BigEndian.AppendUint64(nil, uint64(first.Unix())))
	h.Write(binary.BigEndian.AppendUint32(nil, uint32(first.Nanosecond())))
	return uidOf('C', h.Sum(nil))
}

// FileUID names the file a transfer carried, as Zeek's fuid does ("F" and
// 17 digits): from its data connection's uid and the transfer's number in
// the session, so the same capture gives the same fuid on every run.
func FileUID(conn string, transfer int) string {
	h := sha256.New()
	h.Write([]byte("ftptrace file uid v1\x00" + conn + "\x00"))
	h.Write(binary.BigEndian.AppendUint64(nil, uint64(transfer)))
	return uidOf('F', h.Sum(nil))
}

// uidOf writes the first 96 bits of a digest, hi:lo, in base 62 after the
// prefix.
func uidOf(prefix byte, sum []byte) string {
	hi, lo := uint64(binary.BigEndian.Uint32(sum[0:4])), binary.BigEndian.Uint64(sum[4:12])
	var d [1 + uidDigits]byte
	d[0] = prefix
	for i := uidDigits; i > 0; i-- {
		var r uint64
		hi, r = hi/62, hi%62
		lo, r = bits.Div64(r, lo, 62)
		d[i] = base62[r]
	}
	return string(d[:])
}

// SetFile names the capture file whose packets come next: the sessions
// recognised from now on record it (Session.File). Files given one after
// the other need not be in time order (as for the tracker's NewFile): the
// analysis' clock starts again from the next packet, so that an
// announcement of an earlier file is not taken for one long past.
func (a *Analyzer) SetFile(name string) { a.file, a.now = name, time.Time{} }
