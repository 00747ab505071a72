package report

import (
	"io"
	"net/netip"
	"strconv"
	"time"
	"unicode/utf8"
)

// Zeek's logs, as its ASCII writer writes them: a header of #-lines that
// name the separators, the fields and their types, one line per record
// with the fields separated by tabs, and a #close line
// (https://docs.zeek.org/en/master/log-formats.html); or, as with Zeek's
// LogAscii::use_json, one JSON object per line with the same field names.

// zeekField is a column of a log: its name and Zeek type.
type zeekField struct {
	name, typ string
}

// zeekKind is how a value is written.
type zeekKind uint8

const (
	zUnset  zeekKind = iota // the field has no value: "-", left out of JSON
	zString                 // escaped; "(empty)" when empty; quoted in JSON
	zNumber                 // count, port, time, interval: written as they are
	zBool                   // T or F; true or false in JSON
	zSet                    // set[string]: comma-separated, "(empty)" when empty
)

type zeekValue struct {
	kind zeekKind
	s    string
	b    bool
	set  []string
}

func zStr(s string) zeekValue { return zeekValue{kind: zString, s: s} }

// zOptStr is s, or unset when s is empty (Zeek's &optional string fields).
func zOptStr(s string) zeekValue {
	if s == "" {
		return zeekValue{}
	}
	return zStr(s)
}

func zCount(n int64) zeekValue  { return zeekValue{kind: zNumber, s: strconv.FormatInt(n, 10)} }
func zBoolean(b bool) zeekValue { return zeekValue{kind: zBool, b: b} }
func zStrings(s ...string) zeekValue {
	return zeekValue{kind: zSet, set: s}
}

// zTime is a time as Zeek writes one: seconds since the epoch with six
// decimals.
func zTime(t time.Time) zeekValue {
	if t.IsZero() {
		return zeekValue{}
	}
	return zeekValue{kind: zNumber, s: zeekSeconds(t.Unix(), t.Nanosecond())}
}

// zInterval is a duration as Zeek writes one: seconds with six decimals.
func zInterval(d time.Duration) zeekValue {
	if d < 0 {
		d = 0
	}
	return zeekValue{kind: zNumber, s: zeekSeconds(int64(d/time.Second), int(d%time.Second))}
}

func zeekSeconds(sec int64, nsec int) string {
	b := strconv.AppendInt(nil, sec, 10)
	b = append(b, '.')
	return string(appendDigits(b, nsec/1000, 6))
}

func zAddr(a netip.Addr) zeekValue {
	if !a.IsValid() {
		return zeekValue{}
	}
	return zStr(a.WithZone("").String())
}

func zPort(p uint16) zeekValue { return zCount(int64(p)) }

// zeekLog writes one log (ftp, files, conn).
type zeekLog struct {
	path   string
	fields []zeekField
	w      io.Writer
	json   bool
	// withPath adds Zeek's "_path" to each JSON record, for a stream that
	// mixes several logs.
	withPath     bool
	open, closed time.Time // #open and #close: the capture's first and last time
	started      bool
	buf          []byte
	err          error
}

// The header's separators, as Zeek's ASCII writer writes them by default.
const (
	zeekSetSeparator = ","
	zeekEmptyField   = "(empty)"
	zeekUnsetField   = "-"
)

// zeekStamp is the time of #open and #close lines.
func zeekStamp(t time.Time) string { return t.UTC().Format("2006-01-02-15-04-05") }

func (l *zeekLog) write(row []zeekValue) {
	if l.err != nil {
		return
	}
	b := l.buf[:0]
	if !l.started && !l.json {
		b = l.appendHeader(b)
	}
	l.started = true
	if l.json {
		b = l.appendJSON(b, row)
	} else {
		b = l.appendTSV(b, row)
	}
	l.buf = b
	_, l.err = l.w.Write(b)
}

func (l *zeekLog) appendHeader(b []byte) []byte {
	b = append(b, "#separator \\x09\n#set_separator\t"+zeekSetSeparator+"\n#empty_field\t"+zeekEmptyField+
		"\n#unset_field\t"+zeekUnsetField+"\n#path\t"...)
	b = append(b, l.path...)
	b = append(b, "\n#open\t"...)
	b = append(b, zeekStamp(l.open)...)
	b = append(b, "\n#fields"...)
	for _, f := range l.fields {
		b = append(b, '\t')
		b = append(b, f.name...)
	}
	b = append(b, "\n#types"...)
	for _, f := range l.fields {
		b = append(b, '\t')
		b = append(b, f.typ...)
	}
	return append(b, '\n')
}

// close writes the #close line of a log that has records; a log without
// any is not written at all, as Zeek creates a log file at its first
// record.
func (l *zeekLog) close() error {
	if l.started && !l.json && l.err == nil {
		_, l.err = io.WriteString(l.w, "#close\t"+zeekStamp(l.closed)+"\n")
	}
	return l.err
}

func (l *zeekLog) appendTSV(b []byte, row []zeekValue) []byte {
	for i, v := range row {
		if i > 0 {
			b = append(b, '\t')
		}
		switch v.kind {
		case zUnset:
			b = append(b, zeekUnsetField...)
		case zString:
			b = appendZeekString(b, v.s, false)
		case zNumber:
			b = append(b, v.s...)
		case zBool:
			b = append(b, "FT"[btoi(v.b)])
		case zSet:
			if len(v.set) == 0 {
				b = append(b, zeekEmptyField...)
			}
			for j, s := range v.set {
				if j > 0 {
					b = append(b, zeekSetSeparator...)
				}
				b = appendZeekString(b, s, true)
			}
		}
	}
	return append(b, '\n')
}

func (l *zeekLog) appendJSON(b []byte, row []zeekValue) []byte {
	b = append(b, '{')
	first := true
	key := func(k string) {
		if !first {
			b = append(b, ',')
		}
		first = false
		b = appendString(b, k)
		b = append(b, ':')
	}
	if l.withPath {
		key("_path")
		b = appendString(b, l.path)
	}
	for i, v := range row {
		if v.kind == zUnset {
			continue
		}
		key(l.fields[i].name)
		switch v.kind {
		case zString:
			b = appendString(b, v.s)
		case zNumber:
			b = append(b, v.s...)
		case zBool:
			b = strconv.AppendBool(b, v.b)
		case zSet:
			b = append(b, '[')
			for j, s := range v.set {
				if j > 0 {
					b = append(b, ',')
				}
				b = appendString(b, s)
			}
			b = append(b, ']')
		}
	}
	return append(b, '}', '\n')
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// appendZeekString writes a string field as Zeek's ASCII writer does: a
// byte that is not printable as it is becomes \xNN, so that a field never
// holds the separator or a line break. ftptrace escapes so every byte of
// an UnsafeRune (C1 and bidirectional controls too, which would let a
// hostile file name reorder the line on a terminal), the backslash (so a
// field reads back as it was), and a whole field that reads like the unset
// or empty marker. In a set, the set separator is escaped too.
func appendZeekString(b []byte, s string, inSet bool) []byte {
	if s == "" {
		return append(b, zeekEmptyField...)
	}
	if s == zeekUnsetField || s == zeekEmptyField {
		b = appendHexByte(b, s[0])
		return append(b, s[1:]...)
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c < 0x7f {
			if c == '\\' || (inSet && c == zeekSetSeparator[0]) {
				b = appendHexByte(b, c)
			} else {
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size <= 1) || UnsafeRune(r) {
			for k := 0; k < size; k++ {
				b = appendHexByte(b, s[i+k])
			}
		} else {
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return b
}

func appendHexByte(b []byte, c byte) []byte {
	const hex = "0123456789abcdef"
	return append(b, '\\', 'x', hex[c>>4], hex[c&0xf])
}
