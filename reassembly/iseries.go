package reassembly

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// IBM iSeries (OS/400, IBM i) communications traces: the text report of
// a trace (PRTCMNTRC), in ASCII or in UTF-16LE with a byte order mark, that
// Wireshark's wiretap reads. A header page says the protocol (Ethernet is
// the only one read) and the date the trace started; then each record has
// a line with its number, S/R, the length of the IP datagram, the time of
// day, the MAC addresses and the Ethernet type, followed by the headers
// and data in hexadecimal, on lines whose columns say what they are:
//
//	 Record       Data    Record           Controller  Destination   Source        Frame
//	 Number  S/R  Length  Timer            Name        MAC Address   MAC Address   Format
//	      2   R       64  15:26:03.49047               0006299C14FE  0006299C14AE   ETHV2   Type: 0800
//	                      IP Header  :  4500003C70B34000400694B30A1490970A149096
//	                      TCP Header :  00158C8660B53EA401C1B9B7A0124000099600000204054C...
//	         Data . . . . . :  23EE86EA                                          *..F.   *
//
// Hex blocks are upper-case, up to 16 digits each, separated by blanks;
// continuation lines start in column 36 (headers) or 27 (data). Other
// lines (field by field explanations, page headers) are skipped.

const (
	iseriesMaxLine      = 4096 // longer lines are cut: the hex ones are under 300 characters
	iseriesHeaderLines  = 100  // where "Object protocol" must be, as Wireshark
	iseriesMagic        = "COMMUNICATIONS TRACE"
	iseriesMagicWindow  = 270 // bytes of the file where the magic may start
	ethernetHeaderBytes = 14
)

// The tags before hexadecimal headers (column 22), as Wireshark reads them.
var iseriesHexTags = []string{"IP Header  :  ", "IPv6 Header:  ", "ARP Header :  ", "TCP Header :  ",
	"UDP Header :  ", "ICMP Header:  ", "ICMPv6  Hdr:  ", "Option  Hdr:  "}

const iseriesDataTag = "Data . . . . . :  " // column 9

// isISeries tells whether a file starting with head is an iSeries trace,
// and whether in UTF-16LE.
func isISeries(head []byte) (ok, utf16 bool) {
	window := head[:min(len(head), iseriesMagicWindow)]
	wide := make([]byte, 0, 2*len(iseriesMagic))
	for _, c := range []byte(iseriesMagic) {
		wide = append(wide, c, 0)
	}
	if bytes.Contains(window, wide) {
		return true, true
	}
	return bytes.Contains(window, []byte(iseriesMagic)), false
}

// textLines reads the lines of an ASCII or UTF-16LE text, as ASCII (other
// characters become '?'), and where each starts in the file.
type textLines struct {
	r     *bufio.Reader
	utf16 bool
	off   int64 // of the next line
	line  []byte
}

// next returns the next line without its end of line, valid until the
// next call, and its offset; io.EOF after the last.
func (t *textLines) next() ([]byte, int64, error) {
	start, line := t.off, t.line[:0]
	for {
		c, err := t.unit()
		if err != nil {
			if errors.Is(err, io.EOF) && t.off > start {
				break // the last line has no end of line
			}
			return nil, start, err
		}
		if c == '\n' {
			break
		}
		if len(line) < iseriesMaxLine && c != 0xfeff {
			if c >= 0x80 {
				c = '?'
			}
			line = append(line, byte(c))
		}
	}
	t.line = line
	return bytes.TrimSuffix(line, []byte("\r")), start, nil
}

// unit reads one character: a byte, or a UTF-16LE code unit.
func (t *textLines) unit() (rune, error) {
	lo, err := t.r.ReadByte()
	if err != nil {
		return 0, err
	}
	t.off++
	if !t.utf16 {
		return rune(lo), nil
	}
	hi, err := t.r.ReadByte()
	if err != nil {
		return 0, err // an odd byte at the end: ignored
	}
	t.off++
	return rune(lo) | rune(hi)<<8, nil
}

// iseriesRecord is what a record's first line says.
type iseriesRecord struct {
	number, length int
	clock          time.Duration // time of day
	ethernet       []byte        // destination, source, type
}

// iseriesReader reads the records of an iSeries trace.
type iseriesReader struct {
	name       string
	compressed bool
	lines      *textLines
	last       time.Time      // the last record's time (at first the trace's start)
	pending    *iseriesRecord // the next record, whose first line was read
	pendingAt  int64          // where that line is
	packets    int
	data       []byte
	err        error // what ended the reading
	later      error // damage found past the record being read: said after it
}

// newISeriesReader reads the header page of a trace from r.
func newISeriesReader(name string, compressed bool, r *bufio.Reader, utf16 bool) (*iseriesReader, error) {
	// Without a start date (Wireshark gives no time then) the times of
	// day count from 1970-01-01.
	ir := &iseriesReader{name: name, compressed: compressed, lines: &textLines{r: r, utf16: utf16}, last: time.Unix(0, 0).UTC()}
	protocol := ""
	for i := 0; i < iseriesHeaderLines && ir.pending == nil && ir.err == nil; i++ {
		line, at, err := ir.lines.next()
		if err != nil {
			break
		}
		text := string(line)
		if v, ok := headerField(text, "Object protocol"); ok {
			protocol = strings.ToUpper(strings.Fields(v + " ?")[0])
		}
		if v, ok := headerField(text, "Start date/Time"); ok {
			if start, ok := parseISeriesStart(v); ok {
				ir.last = start
			}
		}
		rec, err := parseISeriesRecord(text)
		if err != nil {
			ir.err = ir.damage(at, err) // said once the header is read
			break
		}
		ir.pending, ir.pendingAt = rec, at
	}
	switch protocol {
	case "ETHERNET":
		return ir, nil
	case "":
		return nil, errors.New("an IBM iSeries communications trace without \"Object protocol\" in its header: ftptrace reads Ethernet traces")
	}
	return nil, fmt.Errorf("an IBM iSeries communications trace of protocol %s: ftptrace reads Ethernet traces only", protocol)
}

// headerField returns the value of a header page line "  Name . . . : value".
func headerField(line, name string) (string, bool) {
	rest, ok := strings.CutPrefix(strings.ToUpper(strings.TrimSpace(line)), strings.ToUpper(name))
	if !ok {
		return "", false
	}
	rest = strings.TrimLeft(rest, " .")
	v, ok := strings.CutPrefix(rest, ":")
	return strings.TrimSpace(v), ok
}

// parseISeriesStart reads "11/15/05  15:25:52.391", when the trace
// started (MM/DD/YY, 20YY as Wireshark; the host's local time, taken as
// UTC).
func parseISeriesStart(v string) (time.Time, bool) {
	f := strings.Fields(v)
	var mm, dd, yy int
	if len(f) == 0 {
		return time.Time{}, false
	}
	if n, _ := fmt.Sscanf(f[0], "%d/%d/%d", &mm, &dd, &yy); n != 3 || yy < 0 {
		return time.Time{}, false
	}
	start := time.Date(2000+yy%100, time.Month(mm), dd, 0, 0, 0, 0, time.UTC)
	if len(f) > 1 {
		if clock, err := parseClock(f[1]); err == nil {
			start = start.Add(clock)
		}
	}
	return start, true
}

// parseClock reads a time of day "15:26:03.49015"; the fraction's digits
// give its resolution (Wireshark reads ".06266" as .6266 s, dropping the
// leading zero: ftptrace reads .06266 s).
func parseClock(s string) (time.Duration, error) {
	hms, frac, _ := strings.Cut(s, ".")
	var h, m, sec int
	if n, err := fmt.Sscanf(hms, "%d:%d:%d", &h, &m, &sec); n != 3 || err != nil {
		return 0, fmt.Errorf("the time %q is not hh:mm:ss.fraction", s)
	}
	if h < 0 || h > 23 || m < 0 || m > 59 || sec < 0 || sec > 60 {
		return 0, fmt.Errorf("the time %q is out of range", s)
	}
	if len(frac) > 9 {
		return 0, fmt.Errorf("the time %q has more than 9 digits after the second", s)
	}
	ns := 0
	if frac != "" {
		v, err := strconv.Atoi(frac)
		if err != nil || v < 0 {
			return 0, fmt.Errorf("the time %q has a bad fraction", s)
		}
		ns = v
		for range 9 - len(frac) {
			ns *= 10
		}
	}
	return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute + time.Duration(sec)*time.Second + time.Duration(ns), nil
}

// parseISeriesRecord reads a record's first line, or returns nil when
// line is none: number, S/R, length, time, [controller], destination MAC,
// source MAC, ETHV2, "Type:", type. A line of that shape with a bad value
// is an error.
func parseISeriesRecord(line string) (*iseriesRecord, error) {
	f := strings.Fields(strings.ReplaceAll(line, "*", " "))
	k := -1
	for i := 6; i+2 < len(f) && k < 0; i++ {
		if strings.EqualFold(f[i], "ETHV2") && strings.EqualFold(f[i+1], "TYPE:") {
			k = i
		}
	}
	if k < 0 || len(f[1]) != 1 || !isDecimal(f[0]) || !isDecimal(f[2]) || !strings.Contains(f[3], ":") {
		return nil, nil
	}
	number, _ := strconv.Atoi(f[0])
	length, err := strconv.Atoi(f[2])
	if err != nil || length > netmonMaxRecord-ethernetHeaderBytes {
		return nil, fmt.Errorf("record %s claims %s bytes, more than a packet can have", f[0], f[2])
	}
	clock, err := parseClock(f[3])
	if err != nil {
		return nil, fmt.Errorf("record %d: %w", number, err)
	}
	eth, err := hexField(nil, f[k-2], 12, "destination MAC address")
	if err == nil {
		eth, err = hexField(eth, f[k-1], 12, "source MAC address")
	}
	if err == nil {
		eth, err = hexField(eth, f[k+2], 4, "Ethernet type")
	}
	if err != nil {
		return nil, fmt.Errorf("record %d: %w", number, err)
	}
	return &iseriesRecord{number: number, length: length + ethernetHeaderBytes, clock: clock, ethernet: eth}, nil
}

func isDecimal(s string) bool {
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != "" && len(s) <= 9
}

// hexField appends the bytes of a hex field of exactly digits digits.
func hexField(dst []byte, s string, digits int, what string) ([]byte, error) {
	if len(s) != digits {
		return dst, fmt.Errorf("the %s %q is not %d hex digits", what, s, digits)
	}
	for i := 0; i < len(s); i += 2 {
		hi, lo := hexValue(s[i]), hexValue(s[i+1])
		if hi < 0 || lo < 0 {
			return dst, fmt.Errorf("the %s %q is not %d hex digits", what, s, digits)
		}
		dst = append(dst, byte(hi<<4|lo))
	}
	return dst, nil
}

// hexValue is the value of a hex digit, or -1.
func hexValue(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	}
	return -1
}

// hexColumn returns where the hex digits of a header or data line start,
// or -1 for any other line.
func hexColumn(line []byte) int {
	indent := len(line) - len(bytes.TrimLeft(line, " \t"))
	switch indent {
	case 22:
		for _, tag := range iseriesHexTags {
			if bytes.HasPrefix(line[22:], []byte(tag)) {
				return 22 + len(tag)
			}
		}
	case 9:
		if bytes.HasPrefix(line[9:], []byte(iseriesDataTag)) {
			return 9 + len(iseriesDataTag)
		}
	case 27, 36:
		return indent
	}
	return -1
}

// appendHexLine appends the bytes of a line's hex blocks (upper-case, up
// to 16 digits, separated by blanks, ended by a shorter block, a blank or
// '*'). A line with anything else where a digit should be is no hex line:
// nothing is appended.
func appendHexLine(dst []byte, s []byte) ([]byte, error) {
	start, i := len(dst), 0
	for {
		n := 0
		for ; n < 16 && i < len(s); n, i = n+1, i+1 {
			c := s[i]
			if c == ' ' || c == '*' || c == '\r' || c == '\n' {
				break
			}
			if hexValue(c) < 0 || c >= 'a' {
				return dst[:start], nil // not a hex line (Wireshark: upper case only)
			}
		}
		if n%2 != 0 {
			return dst[:start], errors.New("a line has an odd number of hex digits")
		}
		for j := i - n; j < i; j += 2 {
			dst = append(dst, byte(hexValue(s[j])<<4|hexValue(s[j+1])))
		}
		if n < 16 {
			return dst, nil
		}
		for i < len(s) && s[i] == ' ' {
			i++
		}
	}
}

// ReadPacket returns the next record's packet; io.EOF at the end.
func (ir *iseriesReader) ReadPacket() ([]byte, gopacket.CaptureInfo, layers.LinkType, error) {
	if ir.err == nil {
		var rec *iseriesRecord
		if rec, ir.err = ir.readRecord(); ir.err == nil {
			ir.packets++
			ci := gopacket.CaptureInfo{Timestamp: ir.when(rec.clock), CaptureLength: len(ir.data), Length: rec.length}
			return ir.data, ci, layers.LinkTypeEthernet, nil
		}
	}
	return nil, gopacket.CaptureInfo{}, layers.LinkTypeEthernet, ir.err
}

func (ir *iseriesReader) LinkType() layers.LinkType { return layers.LinkTypeEthernet }

// when is the time of a record stamped clock: on the day of the record
// before, or the next day when the clock went back more than 12 hours (a
// trace across midnight; Wireshark keeps the start's date).
func (ir *iseriesReader) when(clock time.Duration) time.Time {
	t := ir.last.Truncate(24 * time.Hour).Add(clock)
	if t.Before(ir.last.Add(-12 * time.Hour)) {
		t = t.Add(24 * time.Hour)
	}
	ir.last = t
	return t
}

// readRecord reads the next record's packet into ir.data: from its first
// line (found unless pending) to the first line of the record after it,
// kept pending.
func (ir *iseriesReader) readRecord() (*iseriesRecord, error) {
	if ir.later != nil {
		return nil, ir.later
	}
	for ir.pending == nil {
		line, at, err := ir.lines.next()
		if err != nil {
			return nil, ir.damage(at, err)
		}
		rec, err := parseISeriesRecord(string(line))
		if err != nil {
			return nil, ir.damage(at, err)
		}
		ir.pending, ir.pendingAt = rec, at
	}
	rec, recAt := ir.pending, ir.pendingAt
	ir.pending = nil
	ir.data = append(ir.data[:0], rec.ethernet...)
	for {
		line, at, err := ir.lines.next()
		if errors.Is(err, io.EOF) {
			return rec, nil // the trace ends with this record
		}
		if err != nil {
			return nil, ir.damage(at, err)
		}
		if col := hexColumn(line); col >= 0 {
			if ir.data, err = appendHexLine(ir.data, line[col:]); err != nil {
				return nil, ir.damage(at, fmt.Errorf("record %d: %w", rec.number, err))
			}
			if len(ir.data) > rec.length {
				return nil, ir.damage(recAt, fmt.Errorf("record %d holds more bytes than its length (%d)", rec.number, rec.length-ethernetHeaderBytes))
			}
			continue
		}
		next, err := parseISeriesRecord(string(line))
		if err != nil { // the next record's line: this one is whole
			ir.later = ir.damageIn(ir.packets+2, at, err)
			return rec, nil
		}
		if next != nil {
			ir.pending, ir.pendingAt = next, at
			return rec, nil
		}
	}
}

// damage reports err at byte off of the trace, in the record being read;
// io.EOF is the trace's end.
func (ir *iseriesReader) damage(off int64, err error) error {
	return ir.damageIn(ir.packets+1, off, err)
}

func (ir *iseriesReader) damageIn(record int, off int64, err error) error {
	if errors.Is(err, io.EOF) {
		return io.EOF
	}
	return &DamageError{Name: ir.name, Offset: off, Record: record, Compressed: ir.compressed, Err: err}
}
