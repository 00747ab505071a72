package analyzer

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

// A realistic control connection each way, for seeds.
const (
	seedClient = "USER anonymous\r\nPASS my secret pass\r\nSYST\r\nFEAT\r\nTYPE I\r\n" +
		"PORT 192,168,1,2,195,80\r\nEPRT |2|::1|6275|\r\nPASV\r\nEPSV\r\nRETR f.txt\r\n" +
		"\xff\xf4\xff\xf2ABOR\r\nQUIT\r\n"
	seedServer = "220 (vsFTPd 3.0.3)\r\n331 Please specify the password.\r\n" +
		"230-Welcome\r\n230-Be nice.\r\n230 Login successful.\r\n215 UNIX Type: L8\r\n" +
		"211-Features:\r\n EPRT\r\n EPSV\r\n MDTM\r\n PASV\r\n REST STREAM\r\n SIZE\r\n TVFS\r\n211 End\r\n" +
		"200 Switching to Binary mode.\r\n227 Entering Passive Mode (192,168,1,2,195,80).\r\n" +
		"229 Entering Extended Passive Mode (|||6446|)\r\n150 Opening BINARY mode data connection.\r\n" +
		"226 Transfer complete.\r\n221 Goodbye.\r\n"
)

// chunks cuts data into pieces whose sizes come from cuts (cycled; 0 means
// one byte), so the fuzzer explores segment boundaries.
func chunks(data, cuts []byte) [][]byte {
	if len(cuts) == 0 {
		return [][]byte{data}
	}
	var out [][]byte
	for i := 0; len(data) > 0; i++ {
		n := max(int(cuts[i%len(cuts)]), 1)
		n = min(n, len(data))
		out = append(out, data[:n])
		data = data[n:]
	}
	return out
}

func splitLines(pieces [][]byte, flush bool) []Line {
	var l lineSplitter
	var out []Line
	for i, p := range pieces {
		out = l.feed(p, at(i), out)
	}
	if flush {
		for line, ok := l.flush(); ok; line, ok = l.flush() {
			out = append(out, line)
		}
	}
	return out
}

func FuzzParseCommand(f *testing.F) {
	for _, tt := range parseCommandTests {
		f.Add(tt.line)
	}
	for _, l := range strings.Split(seedClient, "\r\n") {
		f.Add(l)
	}
	f.Fuzz(func(t *testing.T, line string) {
		verb, arg := ParseCommand(line)
		if strings.IndexByte(verb, ' ') >= 0 {
			t.Fatalf("ParseCommand(%q): verb %q holds a space", line, verb)
		}
		i := strings.IndexByte(line, ' ')
		prefix := line
		if i >= 0 {
			prefix = line[:i]
			if verb+" "+arg != upperASCII(line[:i])+line[i:] {
				t.Fatalf("ParseCommand(%q) = %q, %q: does not rebuild the line", line, verb, arg)
			}
			if arg != line[i+1:] {
				t.Fatalf("ParseCommand(%q): arg %q, want %q kept exactly", line, arg, line[i+1:])
			}
		} else if arg != "" {
			t.Fatalf("ParseCommand(%q): arg %q from a line without a space", line, arg)
		}
		// The verb is the prefix with a-z upper-cased and every other byte,
		// UTF-8 or not, left alone.
		if len(verb) != len(prefix) {
			t.Fatalf("ParseCommand(%q): verb %q, prefix %q", line, verb, prefix)
		}
		for k := 0; k < len(verb); k++ {
			want := prefix[k]
			if want >= 'a' && want <= 'z' {
				want -= 'a' - 'A'
			}
			if verb[k] != want {
				t.Fatalf("ParseCommand(%q): verb %q byte %d is %q, want %q", line, verb, k, verb[k], want)
			}
		}
	})
}

func FuzzReplyReader(f *testing.F) {
	f.Add([]byte(seedServer), []byte{})
	f.Add([]byte(seedServer), []byte{1})
	f.Add([]byte(seedServer), []byte{3, 7, 200, 0x81})
	for _, tt := range replyReaderTests {
		var b strings.Builder
		cuts := []byte{}
		for _, in := range tt.in {
			b.WriteString(in.text + "\r\n")
			n := byte(len(in.text) + 2)
			if in.cmd {
				n |= 0x80
			}
			cuts = append(cuts, n)
		}
		f.Add([]byte(b.String()), cuts)
	}
	f.Add([]byte("211-x\r\n"+strings.Repeat(" l\r\n", 1100)+"211 end\r\n"), []byte{5})
	f.Add([]byte("230-"+long+"x\r\n230 ok\r\n"), []byte{255, 0x80})
	f.Fuzz(func(t *testing.T, data, cuts []byte) {
		var (
			split   lineSplitter
			rr      replyReader
			replies []*Reply
			nLines  int
			lines   []Line
		)
		// The high bit of a cut says the client sent a command before
		// that segment (the interrupted argument).
		pieces := chunks(data, cuts)
		for i, p := range pieces {
			interrupted := len(cuts) > 0 && cuts[i%len(cuts)]&0x80 != 0
			lines = split.feed(p, at(i), lines[:0])
			for _, l := range lines {
				nLines++
				replies = append(replies, keptReplies(rr.line(l, interrupted))...)
			}
		}
		if l, ok := split.flush(); ok {
			nLines++
			replies = append(replies, keptReplies(rr.line(l, false))...)
		}
		if rep := rr.flush(UnterminatedByCaptureEnd); rep != nil {
			replies = append(replies, keptReplies([]*Reply{rep})...)
		}
		if rr.open != nil {
			t.Fatalf("reply still open after flush")
		}
		total, capped := 0, false
		for i, rep := range replies {
			if len(rep.Lines) == 0 || len(rep.Lines) > maxReplyLines {
				t.Fatalf("reply %d has %d lines", i, len(rep.Lines))
			}
			// A reply that dropped lines at the bound says so; an
			// unterminated one stops one line short of it.
			capped = capped || (rep.Truncated && len(rep.Lines) >= maxReplyLines-1)
			total += len(rep.Lines)
			for _, l := range rep.Lines {
				if len(l) > MaxLineLength {
					t.Fatalf("reply %d has a %d-byte line", i, len(l))
				}
				if strings.IndexByte(l, '\n') >= 0 {
					t.Fatalf("reply %d line %q holds LF", i, l)
				}
			}
			if rep.Valid && (rep.Code < 100 || rep.Code > 699) {
				t.Fatalf("reply %d: valid code %d", i, rep.Code)
			}
			if !rep.Valid && len(rep.Lines) > 1 {
				t.Fatalf("reply %d: invalid code %d with %d lines", i, rep.Code, len(rep.Lines))
			}
			if rep.Unterminated && !rep.Valid {
				t.Fatalf("reply %d: unterminated with invalid code %d", i, rep.Code)
			}
			if i > 0 && rep.Time.Before(replies[i-1].Time) {
				t.Fatalf("reply %d at %v before reply %d at %v", i, rep.Time, i-1, replies[i-1].Time)
			}
		}
		// Every line lands in exactly one reply, unless a reply hit the bound.
		if total > nLines || (!capped && total != nLines) {
			t.Fatalf("%d lines in, %d lines in replies", nLines, total)
		}
	})
}

// dataAddressErrors is what each data-address parser says of s.
func dataAddressErrors(s string) []error {
	_, e1 := ParsePORT(s)
	_, e2 := ParseEPRT(s)
	_, e3 := ParseLPRT(s)
	_, e4 := ParsePASVReply(s)
	_, _, e5 := ParseEPSVReply(s)
	_, e6 := ParseLPSVReply(s)
	return []error{e1, e2, e3, e4, e5, e6}
}

func FuzzDataAddress(f *testing.F) {
	for _, tests := range [][]addrTest{portTests, eprtTests, lprtTests, pasvTests, epsvTests, lpsvTests} {
		for _, tt := range tests {
			f.Add(tt.in)
		}
	}
	f.Fuzz(func(t *testing.T, s string) {
		if ap, err := ParsePORT(s); err == nil {
			if !ap.Addr().Is4() {
				t.Fatalf("ParsePORT(%q) = %v, not IPv4", s, ap)
			}
			a := ap.Addr().As4()
			again := fmt.Sprintf("%d,%d,%d,%d,%d,%d", a[0], a[1], a[2], a[3], ap.Port()>>8, ap.Port()&0xff)
			if ap2, err := ParsePORT(again); err != nil || ap2 != ap {
				t.Fatalf("ParsePORT(%q) = %v; ParsePORT(%q) = %v, %v", s, ap, again, ap2, err)
			}
			if pasv, err := ParsePASVReply("227 Entering Passive Mode (" + again + ")."); err != nil || pasv != ap {
				t.Fatalf("PASV reply of %q = %v, %v; want %v", again, pasv, err, ap)
			}
		}
		if ap, err := ParseEPRT(s); err == nil {
			family := "1"
			if ap.Addr().Is6() {
				family = "2"
			}
			again := fmt.Sprintf("|%s|%s|%d|", family, ap.Addr(), ap.Port())
			if ap2, err := ParseEPRT(again); err != nil || ap2 != ap {
				t.Fatalf("ParseEPRT(%q) = %v; ParseEPRT(%q) = %v, %v", s, ap, again, ap2, err)
			}
		}
		if ap, err := ParseEPRT(s); err == ErrNoClosingDelim {
			// Read all the same: with the delimiter it lacks, the same address.
			closed := strings.TrimSpace(s)
			closed += closed[:1]
			if ap2, err := ParseEPRT(closed); err != nil || ap2 != ap || !ap.IsValid() {
				t.Fatalf("ParseEPRT(%q) = %v without its closing delimiter; ParseEPRT(%q) = %v, %v", s, ap, closed, ap2, err)
			}
		}
		for _, err := range dataAddressErrors(s) {
			if _, ok := err.(AddressError); err != nil && !ok {
				t.Fatalf("%q: error %v (%T) says no reason", s, err, err)
			}
		}
		if ap, err := ParseLPRT(s); err == nil {
			b := ap.Addr().AsSlice()
			again := fmt.Sprintf("%d,%d", 4+2*(len(b)/16), len(b))
			for _, x := range b {
				again += fmt.Sprintf(",%d", x)
			}
			again += fmt.Sprintf(",2,%d,%d", ap.Port()>>8, ap.Port()&0xff)
			if ap2, err := ParseLPRT(again); err != nil || ap2 != ap {
				t.Fatalf("ParseLPRT(%q) = %v; ParseLPRT(%q) = %v, %v", s, ap, again, ap2, err)
			}
		}
		if ap, err := ParsePASVReply(s); err == nil && !ap.Addr().Is4() {
			t.Fatalf("ParsePASVReply(%q) = %v, not IPv4", s, ap)
		}
		if ip, port, err := ParseEPSVReply(s); err == nil {
			if port == 0 {
				t.Fatalf("ParseEPSVReply(%q): port 0", s)
			}
			if _, port2, err := ParseEPSVReply(fmt.Sprintf("229 Entering Extended Passive Mode (|||%d|)", port)); err != nil || port2 != port {
				t.Fatalf("ParseEPSVReply(%q) port %d does not round-trip: %d, %v", s, port, port2, err)
			}
			if ip.IsValid() && ip.Zone() != "" && strings.IndexByte(s, '%') < 0 {
				t.Fatalf("ParseEPSVReply(%q): zone from nowhere in %v", s, ip)
			}
		}
		if ap, err := ParseLPSVReply(s); err == nil {
			inner := s[strings.IndexByte(s, '(')+1:]
			inner = inner[:strings.IndexByte(inner, ')')]
			if ap2, err := ParseLPRT(inner); err != nil || ap2 != ap {
				t.Fatalf("ParseLPSVReply(%q) = %v but ParseLPRT(%q) = %v, %v", s, ap, inner, ap2, err)
			}
		}
	})
}

func FuzzControlStream(f *testing.F) {
	f.Add([]byte(seedClient), []byte{1})
	f.Add([]byte(seedServer), []byte{2, 9})
	for _, tt := range lineSplitterTests {
		var cuts []byte
		for _, fd := range tt.feeds {
			cuts = append(cuts, byte(min(len(fd), 255)))
		}
		f.Add([]byte(strings.Join(tt.feeds, "")), cuts)
	}
	f.Add([]byte("\xff\xfa\x18a\r\nb\xff\xff\xff\xf0NOOP\r\n\xff\xfb"), []byte{3, 1})
	f.Fuzz(func(t *testing.T, data, cuts []byte) {
		whole := splitLines([][]byte{data}, true)
		ways := [][][]byte{chunks(data, cuts)}
		if len(data) <= 2048 { // one byte a time is slow on long lines
			ways = append(ways, chunks(data, []byte{1}))
		}
		for _, pieces := range ways {
			cut := splitLines(pieces, true)
			if len(cut) != len(whole) {
				t.Fatalf("%d lines fed whole, %d fed in %d pieces", len(whole), len(cut), len(pieces))
			}
			for i := range whole {
				if cut[i].Text != whole[i].Text || cut[i].Truncated != whole[i].Truncated || cut[i].Telnet != whole[i].Telnet {
					t.Fatalf("line %d: fed whole %q (truncated %v, Telnet %q), fed in %d pieces %q (truncated %v, Telnet %q)",
						i, whole[i].Text, whole[i].Truncated, whole[i].Telnet, len(pieces), cut[i].Text, cut[i].Truncated, cut[i].Telnet)
				}
				if i > 0 && cut[i].Time.Before(cut[i-1].Time) {
					t.Fatalf("line %d at %v before line %d at %v", i, cut[i].Time, i-1, cut[i-1].Time)
				}
			}
		}
		for i, l := range whole {
			if len(l.Text) > MaxLineLength || strings.IndexByte(l.Text, '\n') >= 0 {
				t.Fatalf("line %d: %d bytes, LF inside: %v", i, len(l.Text), strings.IndexByte(l.Text, '\n') >= 0)
			}
		}
		// Without Telnet commands, CRs or long lines, the lines are the
		// input cut at each LF.
		if bytes.IndexByte(data, telnetIAC) < 0 && bytes.IndexByte(data, '\r') < 0 {
			want := strings.Split(string(data), "\n")
			if want[len(want)-1] == "" {
				want = want[:len(want)-1]
			}
			for _, w := range want {
				if len(w) > MaxLineLength {
					return
				}
			}
			if len(want) != len(whole) {
				t.Fatalf("%d lines, want %d", len(whole), len(want))
			}
			for i, w := range want {
				if whole[i].Text != w || whole[i].Truncated {
					t.Fatalf("line %d = %q (truncated %v), want %q", i, whole[i].Text, whole[i].Truncated, w)
				}
			}
		}
	})
}
