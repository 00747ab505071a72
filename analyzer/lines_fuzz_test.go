package analyzer

import (
	"bytes"
	"reflect"
	"testing"
	"time"
)

// feedBytewise is lineSplitter.feed as it was, a byte at a time: the
// reference the run-at-a-time feed must agree with.
func (l *lineSplitter) feedBytewise(payload []byte, t time.Time, out []Line) []Line {
	for _, b := range payload {
		if l.iac != iacNone || b == telnetIAC {
			if l.telnetByte(b, t) {
				continue
			}
		}
		if len(l.buf) == 0 && !l.truncated {
			if l.telnetN > 0 {
				out = append(out, l.takeTelnet())
			}
			l.start, l.startIdx = t, l.index
		}
		if b == '\n' {
			out = append(out, l.take())
			if l.telnetN > 0 {
				out = append(out, l.takeTelnet())
			}
			continue
		}
		if len(l.buf) > MaxLineLength {
			l.truncated = true
			continue
		}
		l.buf = append(l.buf, b)
	}
	return out
}

// FuzzLineSplitterRuns: feeding text a run at a time makes the same lines,
// Telnet commands, times, packet numbers and truncations as a byte at a
// time, however the bytes are cut into segments (long lines included:
// repeat makes a line over MaxLineLength).
func FuzzLineSplitterRuns(f *testing.F) {
	f.Add([]byte("USER anonymous\r\nPASS a@b\r\n"), []byte{3, 1, 7}, uint16(0))
	f.Add([]byte("\xff\xf4\xff\xf2ABOR\r\n\xff\xff\r\n\xff\xfb\x01x\n\n"), []byte{1, 2}, uint16(0))
	f.Add([]byte("RETR x\r"), []byte{200}, uint16(MaxLineLength/7+1))
	f.Add([]byte("\xff\xfa\x18\xff\xf0230 ok\r\n"), []byte{}, uint16(MaxLineLength/8))
	f.Fuzz(func(t *testing.T, data, cuts []byte, repeat uint16) {
		if repeat > 0 {
			data = bytes.Repeat(data, int(repeat)%(2*MaxLineLength/max(len(data), 1)+2))
		}
		var runs, bytewise lineSplitter
		var got, want []Line
		for i, p := range chunks(data, cuts) {
			runs.index, bytewise.index = i+1, i+1
			runs.urgent, bytewise.urgent = i%3 == 0, i%3 == 0
			got = runs.feed(p, at(i), got)
			want = bytewise.feedBytewise(p, at(i), want)
		}
		for l, ok := runs.flush(); ok; l, ok = runs.flush() {
			got = append(got, l)
		}
		for l, ok := bytewise.flush(); ok; l, ok = bytewise.flush() {
			want = append(want, l)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("lines differ:\n%+v\n%+v", got, want)
		}
	})
}

// BenchmarkLineSplitter cuts a short session's control lines, a segment a
// line as most clients and servers send them, a run at a time and, as
// before, a byte at a time.
func BenchmarkLineSplitter(b *testing.B) {
	segments := [][]byte{[]byte("220 (vsFTPd 3.0.3)\r\n"), []byte("USER anonymous\r\n"), []byte("331 Please specify the password.\r\n"),
		[]byte("PASS guest@example.org\r\n"), []byte("230 Login successful.\r\n"), []byte("EPSV\r\n"),
		[]byte("229 Entering Extended Passive Mode (|||40011|)\r\n"), []byte("RETR /pub/file.txt\r\n"),
		[]byte("150 Opening BINARY mode data connection for /pub/file.txt (1024 bytes).\r\n"), []byte("226 Transfer complete.\r\n")}
	for _, feed := range []struct {
		name string
		feed func(*lineSplitter, []byte, time.Time, []Line) []Line
	}{{"runs", (*lineSplitter).feed}, {"bytewise", (*lineSplitter).feedBytewise}} {
		b.Run(feed.name, func(b *testing.B) {
			b.ReportAllocs()
			var l lineSplitter
			var out []Line
			for i := 0; i < b.N; i++ {
				for _, p := range segments {
					out = feed.feed(&l, p, t0, out[:0])
				}
			}
		})
	}
}
