package synth

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf16"
)

// writeISeries writes an IBM iSeries communications trace (the report of
// PRTCMNTRC) of an Ethernet capture of IPv4 TCP: a header page, a legend,
// then each record's line and its headers and data in hexadecimal, with a
// page header every iseriesPageLines lines, as OS/400 prints them (page
// breaks fall inside records too). UTF-16LE with a byte order mark, or
// ASCII. The traced host is the first packet's sender (S: sent, R:
// received).
func (c *Capture) writeISeries(w io.Writer, wide bool) error {
	if c.opts.Link != Ethernet || c.opts.VLAN != 0 {
		return fmt.Errorf("synth: iSeries traces are written for untagged Ethernet captures only")
	}
	start := c.opts.Start.UTC()
	if len(c.packets) > 0 {
		start = c.packets[0].Time.UTC()
	}
	t := &iseriesText{date: start.Format("01/02/06"), clock: start.Format("15:04:05")}
	t.header(start)
	var host []byte
	for i, p := range c.packets {
		if len(p.Data) < 14+20 || binary.BigEndian.Uint16(p.Data[12:14]) != 0x0800 {
			return fmt.Errorf("synth: iSeries trace: frame %d is not IPv4", i+1)
		}
		if host == nil {
			host = p.Data[6:12]
		}
		dir := "R"
		if string(p.Data[6:12]) == string(host) {
			dir = "S"
		}
		t.record(i+1, dir, p)
	}
	t.line("* * * * *   E N D   O F   C O M P U T E R   P R I N T O U T   * * * * *")
	bw := bufio.NewWriter(w)
	text := t.b.String()
	if !wide {
		bw.WriteString(text)
		return bw.Flush()
	}
	var u [2]byte
	for _, r := range utf16.Encode([]rune("\ufeff" + text)) {
		binary.LittleEndian.PutUint16(u[:], r)
		bw.Write(u[:])
	}
	return bw.Flush()
}

const iseriesPageLines = 60

// iseriesText builds the lines of a trace report.
type iseriesText struct {
	b           strings.Builder
	lines, page int
	date, clock string
}

func (t *iseriesText) line(format string, args ...any) {
	if t.lines > 0 && t.lines%iseriesPageLines == 0 {
		t.pageHeader()
	}
	fmt.Fprintf(&t.b, format+"\r\n", args...)
	t.lines++
}

func (t *iseriesText) pageHeader() {
	t.page++
	fmt.Fprintf(&t.b, " COMMUNICATIONS TRACE       Title: FTPSYNTH                          %s  %s                           Page: %7d\r\n", t.date, t.clock, t.page)
	if t.page > 2 {
		t.b.WriteString(" Record       Data    Record           Controller  Destination   Source        Frame\r\n")
		t.b.WriteString(" Number  S/R  Length  Timer            Name        MAC Address   MAC Address   Format\r\n")
		t.b.WriteString(" ------  ---  ------  ---------------  ----------  ------------  ------------  ------\r\n")
	}
}

// header writes the first two pages: the trace's options, the legend.
func (t *iseriesText) header(start time.Time) {
	t.pageHeader()
	for _, l := range []string{
		"   Trace Description  . . . . . :   ftpsynth",
		"   Configuration object . . . . :   ETH0",
		"   Type . . . . . . . . . . . . :   1            1=Line, 2=Network Interface",
		"   Object protocol  . . . . . . :   ETHERNET",
		"   Start date/Time  . . . . . . :   " + start.Format("01/02/06  15:04:05.000"),
		"   Data direction . . . . . . . :   3            1=Sent, 2=Received, 3=Both",
		"   Format TCP/IP data only  . . :   Y            Y=Yes, N=No",
		"   Select Ethernet data . . . . :   3            1=802.3, 2=ETHV2, 3=Both",
	} {
		t.b.WriteString(l + "\r\n")
	}
	t.pageHeader()
	for _, l := range []string{
		" Record Number . . . .  Number of record in trace buffer (decimal)",
		" S/R . . . . . . . . .  S=Sent   R=Received    M=Modem Change",
		" Data Length . . . . .  Amount of data in record (decimal)",
		" Record Timer  . . . .  Time stamp (HH:MM:SS.NNNNN)",
		" Frame Format  . . . .  802.3 (IEEE Standard 802.3) or ETHV2",
	} {
		t.b.WriteString(l + "\r\n")
	}
	t.pageHeader()
}

// record writes one frame: its line, the IP and TCP headers, the data.
func (t *iseriesText) record(n int, dir string, p Packet) {
	d := p.Data
	ip := d[14:]
	ihl := int(ip[0]&0x0f) * 4
	clock := p.Time.UTC().Format("15:04:05.000000")[:14] // 10 µs resolution
	t.line("%7d   %s  %7d  %-15s  %-10s  %X  %X   ETHV2   Type: %04X", n, dir, len(ip), clock, "", d[0:6], d[6:12], d[12:14])
	t.line("%22sFrame Type :  IP          DSCP: 0   ECN: 00-NECT  Length: %5d   Protocol: TCP", "", binary.BigEndian.Uint16(ip[2:4]))
	t.line("%22sIP Header  :  %X", "", ip[:ihl])
	t.line("%22sIP Options :  NONE", "")
	rest := ip[ihl:]
	if ip[9] == 6 && len(rest) >= 20 {
		thl := int(rest[12]>>4) * 4
		t.line("%22sTCP  . . . :  Src Port: %5d,Unassigned    Dest Port: %5d,Unassigned", "", binary.BigEndian.Uint16(rest[0:2]), binary.BigEndian.Uint16(rest[2:4]))
		t.line("%36sCode Bits: %-24s Window: %5d", "", "", binary.BigEndian.Uint16(rest[14:16]))
		t.line("%22sTCP Header :  %X", "", rest[:thl])
		rest = rest[thl:]
	}
	for i := 0; i < len(rest); i += 32 {
		chunk := rest[i:min(i+32, len(rest))]
		lead := fmt.Sprintf("%9sData . . . . . :  ", "")
		if i > 0 {
			lead = strings.Repeat(" ", 27)
		}
		t.line("%s%-70s *%-32s*", lead, hexGroups(chunk), printable(chunk))
	}
}

// hexGroups is b in upper-case hex, 16 digits a group, two groups a pair.
func hexGroups(b []byte) string {
	var s strings.Builder
	for i := 0; i < len(b); i += 8 {
		if i > 0 {
			s.WriteString([]string{"  ", " "}[i/8%2])
		}
		fmt.Fprintf(&s, "%X", b[i:min(i+8, len(b))])
	}
	return s.String()
}

func printable(b []byte) string {
	out := []byte(string(b))
	for i, c := range out {
		if c < ' ' || c > '~' || c == '*' {
			out[i] = '.'
		}
	}
	return string(out)
}
