package analyzer

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// t0 is the capture time of the first segment in these tests; at(n) is the
// time of the n-th.
var t0 = time.Date(2008, 11, 5, 10, 0, 0, 0, time.UTC)

func at(n int) time.Time { return t0.Add(time.Duration(n) * time.Millisecond) }

// lineWant is an expected line; each feed of a case is a segment whose time
// is at(its index).
type lineWant struct {
	text  string
	time  int // index of the feed carrying the line's first byte
	trunc bool
}

var long = strings.Repeat("a", MaxLineLength)

var lineSplitterTests = []struct {
	name  string
	feeds []string
	flush bool
	want  []lineWant
}{
	{"one line", []string{"USER anonymous\r\n"}, false, []lineWant{{"USER anonymous", 0, false}}},
	{"split across feeds", []string{"US", "ER an", "onymous\r", "\n"}, false,
		[]lineWant{{"USER anonymous", 0, false}}},
	{"several lines in one feed", []string{"USER a\r\nPASS b\r\nSYST\r\n"}, false,
		[]lineWant{{"USER a", 0, false}, {"PASS b", 0, false}, {"SYST", 0, false}}},
	{"time of first byte", []string{"USER a\r\n", "PA", "SS b\r\nNO", "OP\r\n"}, false,
		[]lineWant{{"USER a", 0, false}, {"PASS b", 1, false}, {"NOOP", 2, false}}},
	{"CR and LF in different feeds", []string{"NOOP\r", "\nQUIT\r\n"}, false,
		[]lineWant{{"NOOP", 0, false}, {"QUIT", 1, false}}},
	{"bare LF", []string{"USER a\nPASS b\n"}, false, []lineWant{{"USER a", 0, false}, {"PASS b", 0, false}}},
	{"mixed LF and CRLF", []string{"USER a\nPASS b\r\n"}, false, []lineWant{{"USER a", 0, false}, {"PASS b", 0, false}}},
	{"CR inside a line is kept", []string{"A\rB\r\n"}, false, []lineWant{{"A\rB", 0, false}}},
	{"only the last CR is stripped", []string{"A\r\r\n"}, false, []lineWant{{"A\r", 0, false}}},
	{"empty lines", []string{"\r\n\n"}, false, []lineWant{{"", 0, false}, {"", 0, false}}},
	{"IAC IP IAC DM before ABOR", []string{"\xff\xf4\xff\xf2ABOR\r\n"}, false, []lineWant{{"ABOR", 0, false}}},
	{"IAC IAC is a literal 0xFF", []string{"STOR \xff\xffx\r\n"}, false, []lineWant{{"STOR \xffx", 0, false}}},
	{"IAC IAC IAC IAC", []string{"\xff\xff\xff\xff\r\n"}, false, []lineWant{{"\xff\xff", 0, false}}},
	{"IAC WILL option", []string{"\xff\xfb\x01NOOP\r\n"}, false, []lineWant{{"NOOP", 0, false}}},
	{"IAC WONT option", []string{"NO\xff\xfc\x01OP\r\n"}, false, []lineWant{{"NOOP", 0, false}}},
	{"IAC DO option", []string{"\xff\xfd\x18NOOP\r\n"}, false, []lineWant{{"NOOP", 0, false}}},
	{"IAC DONT option", []string{"\xff\xfe\xffNOOP\r\n"}, false, []lineWant{{"NOOP", 0, false}}},
	{"option byte is LF", []string{"NOOP\xff\xfd\n\r\n"}, false, []lineWant{{"NOOP", 0, false}}},
	{"IAC SB ... IAC SE", []string{"NO\xff\xfa\x18\x01abc\xff\xf0OP\r\n"}, false, []lineWant{{"NOOP", 0, false}}},
	{"IAC IAC inside SB", []string{"\xff\xfa\x18\xff\xff\x01\xff\xf0NOOP\r\n"}, false, []lineWant{{"NOOP", 0, false}}},
	{"CR LF inside SB", []string{"\xff\xfa\x18a\r\nb\xff\xf0NOOP\r\n"}, false, []lineWant{{"NOOP", 0, false}}},
	{"IAC split after IAC", []string{"\xff", "\xf4\xff", "\xf2ABOR\r\n"}, false, []lineWant{{"ABOR", 2, false}}},
	{"IAC IAC split", []string{"STOR \xff", "\xffx\r\n"}, false, []lineWant{{"STOR \xffx", 0, false}}},
	{"IAC WILL split before option", []string{"\xff\xfb", "\x01NOOP\r\n"}, false, []lineWant{{"NOOP", 1, false}}},
	{"IAC SB split", []string{"\xff\xfa\x18", "abc\xff", "\xf0NOOP\r\n"}, false, []lineWant{{"NOOP", 2, false}}},
	{"too long line cut, next intact", []string{long + "bcd\r\nNOOP\r\n"}, false,
		[]lineWant{{long, 0, true}, {"NOOP", 0, false}}},
	{"too long line across feeds", []string{long[:5000], long[5000:] + "b", "cd\r\nNOOP\r\n"}, false,
		[]lineWant{{long, 0, true}, {"NOOP", 2, false}}},
	{"exactly MaxLineLength with CRLF", []string{long + "\r\nNOOP\r\n"}, false,
		[]lineWant{{long, 0, false}, {"NOOP", 0, false}}},
	{"exactly MaxLineLength with LF", []string{long + "\nNOOP\n"}, false,
		[]lineWant{{long, 0, false}, {"NOOP", 0, false}}},
	{"one byte too long", []string{long + "b\r\n"}, false, []lineWant{{long, 0, true}}},
	{"CR then data past the bound", []string{long + "\rb\r\n"}, false, []lineWant{{long, 0, true}}},
	{"flush partial line", []string{"USER a\r\nPAS"}, true, []lineWant{{"USER a", 0, false}, {"PAS", 0, false}}},
	{"flush strips CR", []string{"QUIT\r"}, true, []lineWant{{"QUIT", 0, false}}},
	{"flush nothing", []string{"QUIT\r\n"}, true, []lineWant{{"QUIT", 0, false}}},
	{"flush after Telnet only", []string{"\xff\xf4\xff\xf2"}, true, nil},
	{"flush truncated line", []string{long + "b"}, true, []lineWant{{long, 0, true}}},
}

// telnetWant lists the Telnet lines (Line.Telnet) of the cases of
// lineSplitterTests that have some, in order; the other cases have none.
var telnetWant = map[string][]string{
	"IAC IP IAC DM before ABOR":    {"IP, DM"},
	"IAC WILL option":              {"WILL 1"},
	"IAC WONT option":              {"WONT 1"},
	"IAC DO option":                {"DO 24"},
	"IAC DONT option":              {"DONT 255"},
	"option byte is LF":            {"DO 10"},
	"IAC SB ... IAC SE":            {"SB"},
	"IAC IAC inside SB":            {"SB"},
	"CR LF inside SB":              {"SB"},
	"IAC split after IAC":          {"IP, DM"},
	"IAC WILL split before option": {"WILL 1"},
	"IAC SB split":                 {"SB"},
	"flush after Telnet only":      {"IP, DM"},
}

func TestLineSplitter(t *testing.T) {
	for _, tt := range lineSplitterTests {
		t.Run(tt.name, func(t *testing.T) {
			var l lineSplitter
			var all []Line
			for i, f := range tt.feeds {
				all = l.feed([]byte(f), at(i), all)
			}
			if tt.flush {
				for line, ok := l.flush(); ok; line, ok = l.flush() {
					all = append(all, line)
				}
				if len(l.buf) > 0 {
					t.Errorf("a partial line is left after flush")
				}
			}
			var got []Line
			var telnet []string
			for _, line := range all {
				if line.Telnet != "" {
					telnet = append(telnet, line.Telnet)
					continue
				}
				got = append(got, line)
			}
			if !slices.Equal(telnet, telnetWant[tt.name]) {
				t.Errorf("Telnet lines %q, want %q", telnet, telnetWant[tt.name])
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %d lines %q, want %d", len(got), texts(got), len(tt.want))
			}
			for i, w := range tt.want {
				g := got[i]
				if g.Text != w.text || !g.Time.Equal(at(w.time)) || g.Truncated != w.trunc {
					t.Errorf("line %d = %.40q (%d bytes) at %v truncated=%v, want %.40q (%d bytes) at %v truncated=%v",
						i, g.Text, len(g.Text), g.Time.Sub(t0), g.Truncated,
						w.text, len(w.text), at(w.time).Sub(t0), w.trunc)
				}
			}
		})
	}
}

func texts(lines []Line) []string {
	s := make([]string, len(lines))
	for i, l := range lines {
		s[i] = l.Text
	}
	return s
}

var parseCommandTests = []struct {
	line, verb, arg string
}{
	{"USER anonymous", "USER", "anonymous"},
	{"user anonymous", "USER", "anonymous"},
	{"PASS my secret pass", "PASS", "my secret pass"},
	{"pass x", "PASS", "x"},
	{"PASS x  ", "PASS", "x  "},
	{"PASS  x", "PASS", " x"},
	{"PASS ", "PASS", ""},
	{"NOOP", "NOOP", ""},
	{"noop", "NOOP", ""},
	{"mKd new dir", "MKD", "new dir"},
	{"STOR \xffx", "STOR", "\xffx"},
	{"\xe9tat x", "\xe9TAT", "x"},
	{"Ü x", "Ü", "x"},
	{"PORT 192,168,1,2,195,80", "PORT", "192,168,1,2,195,80"},
	{"SITE CHMOD 644 f", "SITE", "CHMOD 644 f"},
	{"RETR\tfile", "RETR\tFILE", ""},
	{" USER x", "", "USER x"},
	{"", "", ""},
}

func TestParseCommand(t *testing.T) {
	for _, tt := range parseCommandTests {
		verb, arg := ParseCommand(tt.line)
		if verb != tt.verb || arg != tt.arg {
			t.Errorf("ParseCommand(%q) = %q, %q; want %q, %q", tt.line, verb, arg, tt.verb, tt.arg)
		}
	}
}

// replyIn is one server line given to the reply reader; cmd tells that the
// client sent a command before it (the interrupted argument).
type replyIn struct {
	text  string
	cmd   bool
	trunc bool
}

// replyWant is an expected reply; time is the index of its first line.
type replyWant struct {
	code         int
	valid        bool
	lines        []string
	time         int
	unterminated bool
	truncated    bool
}

var replyReaderTests = []struct {
	name  string
	in    []replyIn
	flush bool
	want  []replyWant
}{
	{"single line", []replyIn{{text: "220 (vsFTPd 3.0.3)"}}, false,
		[]replyWant{{220, true, []string{"(vsFTPd 3.0.3)"}, 0, false, false}}},
	{"code alone", []replyIn{{text: "226"}}, false,
		[]replyWant{{226, true, []string{""}, 0, false, false}}},
	{"code and space", []replyIn{{text: "226 "}}, false,
		[]replyWant{{226, true, []string{""}, 0, false, false}}},
	{"two single lines", []replyIn{{text: "331 Password required"}, {text: "230 Logged in"}}, false,
		[]replyWant{{331, true, []string{"Password required"}, 0, false, false}, {230, true, []string{"Logged in"}, 1, false, false}}},
	// Same-code continuation lines ("230-Be nice.") lose their code, as in net/textproto.
	{"multi-line", []replyIn{{text: "230-Welcome"}, {text: "230-Be nice."}, {text: "230 Login successful."}}, false,
		[]replyWant{{230, true, []string{"Welcome", "Be nice.", "Login successful."}, 0, false, false}}},
	{"multi-line closed by code alone", []replyIn{{text: "220-Hello"}, {text: "220"}}, false,
		[]replyWant{{220, true, []string{"Hello", ""}, 0, false, false}}},
	{"FEAT", []replyIn{{text: "211-Features:"}, {text: " EPRT"}, {text: " EPSV"}, {text: " MDTM"},
		{text: " PASV"}, {text: " REST STREAM"}, {text: " SIZE"}, {text: " TVFS"}, {text: "211 End"}}, false,
		[]replyWant{{211, true, []string{"Features:", " EPRT", " EPSV", " MDTM", " PASV", " REST STREAM", " SIZE", " TVFS", "End"}, 0, false, false}}},
	{"inner line padded code", []replyIn{{text: "211-Status"}, {text: " 211-Features"}, {text: " 211 x"}, {text: "211 End"}}, false,
		[]replyWant{{211, true, []string{"Status", " 211-Features", " 211 x", "End"}, 0, false, false}}},
	// RFC 959 4.2: only "ddd " with the first line's code ends the reply.
	{"inner lines of other codes", []replyIn{{text: "250-Listing"}, {text: "200-not the end"}, {text: "550 nor this"},
		{text: "250-nor this"}, {text: "250 Done"}}, false,
		[]replyWant{{250, true, []string{"Listing", "200-not the end", "550 nor this", "nor this", "Done"}, 0, false, false}}},
	{"RFC 959 example", []replyIn{{text: "123-First line"}, {text: "Second line"},
		{text: "  234 A line beginning with numbers"}, {text: "123 The last line"}}, false,
		[]replyWant{{123, true, []string{"First line", "Second line", "  234 A line beginning with numbers", "The last line"}, 0, false, false}}},
	{"unterminated, closed after a command", []replyIn{{text: "230-Welcome"}, {text: "230-more"},
		{text: "200 Type set", cmd: true}}, false,
		[]replyWant{{230, true, []string{"Welcome", "more"}, 0, true, false}, {200, true, []string{"Type set"}, 2, false, false}}},
	{"unterminated, new multi-line after a command", []replyIn{{text: "230-Welcome"},
		{text: "211-Features:", cmd: true}, {text: " EPSV", cmd: true}, {text: "211 End", cmd: true}}, false,
		[]replyWant{{230, true, []string{"Welcome"}, 0, true, false}, {211, true, []string{"Features:", " EPSV", "End"}, 1, false, false}}},
	{"other code without a command stays inside", []replyIn{{text: "230-Welcome"}, {text: "200 Type set"}, {text: "230 end"}}, false,
		[]replyWant{{230, true, []string{"Welcome", "200 Type set", "end"}, 0, false, false}}},
	{"uncoded line after a command stays inside", []replyIn{{text: "230-Welcome"}, {text: "hello", cmd: true}, {text: "230 end", cmd: true}}, false,
		[]replyWant{{230, true, []string{"Welcome", "hello", "end"}, 0, false, false}}},
	{"unterminated, flushed", []replyIn{{text: "230-Welcome"}, {text: "230-x"}}, true,
		[]replyWant{{230, true, []string{"Welcome", "x"}, 0, true, false}}},
	{"flush with nothing open", []replyIn{{text: "221 Goodbye."}}, true,
		[]replyWant{{221, true, []string{"Goodbye."}, 0, false, false}}},
	{"two-digit code", []replyIn{{text: "99 PASV invalid"}}, false,
		[]replyWant{{99, false, []string{"PASV invalid"}, 0, false, false}}},
	{"invalid code does not open a reply", []replyIn{{text: "99-PASV invalid"}, {text: "220 ok"}}, false,
		[]replyWant{{99, false, []string{"PASV invalid"}, 0, false, false}, {220, true, []string{"ok"}, 1, false, false}}},
	// RFC 2228: protected replies, single and multi-line.
	{"631 protected reply", []replyIn{{text: "631 Y29uZmlkZW50aWFs"}}, false,
		[]replyWant{{631, true, []string{"Y29uZmlkZW50aWFs"}, 0, false, false}}},
	{"633 multi-line", []replyIn{{text: "633-Zmlyc3Q="}, {text: "633-c2Vjb25k"}, {text: "633 bGFzdA=="}}, false,
		[]replyWant{{633, true, []string{"Zmlyc3Q=", "c2Vjb25k", "bGFzdA=="}, 0, false, false}}},
	{"code above 699", []replyIn{{text: "700 nope"}}, false,
		[]replyWant{{700, false, []string{"nope"}, 0, false, false}}},
	{"code below 100", []replyIn{{text: "099 nope"}}, false,
		[]replyWant{{99, false, []string{"nope"}, 0, false, false}}},
	{"no code", []replyIn{{text: "hello world"}}, false,
		[]replyWant{{0, false, []string{"hello world"}, 0, false, false}}},
	{"four digits", []replyIn{{text: "1234 too long"}}, false,
		[]replyWant{{0, false, []string{"1234 too long"}, 0, false, false}}},
	{"code glued to text", []replyIn{{text: "220text"}}, false,
		[]replyWant{{0, false, []string{"220text"}, 0, false, false}}},
	{"empty line", []replyIn{{text: ""}}, false,
		[]replyWant{{0, false, []string{""}, 0, false, false}}},
	{"truncated inner line", []replyIn{{text: "211-a"}, {text: "b", trunc: true}, {text: "211 c"}}, false,
		[]replyWant{{211, true, []string{"a", "b", "c"}, 0, false, true}}},
	{"truncated last line", []replyIn{{text: "211-a"}, {text: "211 c", trunc: true}}, false,
		[]replyWant{{211, true, []string{"a", "c"}, 0, false, true}}},
}

func TestReplyReader(t *testing.T) {
	for _, tt := range replyReaderTests {
		t.Run(tt.name, func(t *testing.T) {
			var r replyReader
			var got []*Reply
			for i, in := range tt.in {
				got = append(got, keptReplies(r.line(Line{Text: in.text, Time: at(i), Truncated: in.trunc}, in.cmd))...)
			}
			if tt.flush {
				if rep := r.flush(UnterminatedByCaptureEnd); rep != nil {
					got = append(got, keptReplies([]*Reply{rep})...)
				}
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %d replies, want %d: %s", len(got), len(tt.want), showReplies(got))
			}
			for i, w := range tt.want {
				g := got[i]
				if g.Code != w.code || g.Valid != w.valid || !slices.Equal(g.Lines, w.lines) || !g.Time.Equal(at(w.time)) ||
					g.Unterminated != w.unterminated || g.Truncated != w.truncated {
					t.Errorf("reply %d = %s, want %+v", i, showReplies(got[i:i+1]), w)
				}
			}
		})
	}
}

// keptReplies copies the replies a replyReader returned, which are its
// own until the next line.
func keptReplies(reps []*Reply) []*Reply {
	var out []*Reply
	for _, r := range reps {
		c := *r
		c.Lines = slices.Clone(r.Lines)
		out = append(out, &c)
	}
	return out
}

func showReplies(reps []*Reply) string {
	var b strings.Builder
	for _, r := range reps {
		fmt.Fprintf(&b, "{code=%d valid=%v lines=%q time=%v unterminated=%v truncated=%v} ",
			r.Code, r.Valid, r.Lines, r.Time.Sub(t0), r.Unterminated, r.Truncated)
	}
	return b.String()
}

// TestReplyReaderLineBound: a server that never ends a multi-line reply
// cannot make it grow without end, and the closing line is never lost.
func TestReplyReaderLineBound(t *testing.T) {
	var r replyReader
	r.line(Line{Text: "211-start", Time: t0}, false)
	for range 3 * maxReplyLines {
		if done := r.line(Line{Text: " line", Time: t0}, false); done != nil {
			t.Fatalf("inner line closed the reply")
		}
	}
	done := r.line(Line{Text: "211 end", Time: t0}, false)
	if len(done) != 1 {
		t.Fatalf("closing line gave %d replies, want 1", len(done))
	}
	rep := done[0]
	if len(rep.Lines) != maxReplyLines || rep.Lines[0] != "start" || rep.Lines[len(rep.Lines)-1] != "end" || !rep.Truncated {
		t.Errorf("reply has %d lines (first %q, last %q), truncated=%v; want %d, \"start\", \"end\", true",
			len(rep.Lines), rep.Lines[0], rep.Lines[len(rep.Lines)-1], rep.Truncated, maxReplyLines)
	}
}

// addrTest is one data-address parser case; want "" means an error.
type addrTest struct {
	in, want string
}

var portTests = []addrTest{
	{"192,168,1,2,195,80", "192.168.1.2:50000"},
	{" 192,168,1,2,195,80 ", "192.168.1.2:50000"},
	{"192, 168, 1, 2, 195, 80", "192.168.1.2:50000"},
	{"192 ,168 ,1 ,2 ,195 ,80", "192.168.1.2:50000"},
	{"10,0,0,1,0,21", "10.0.0.1:21"},
	{"001,002,003,004,005,006", "1.2.3.4:1286"},
	{"0,0,0,0,0,0", "0.0.0.0:0"},
	{"255,255,255,255,255,255", "255.255.255.255:65535"},
	{"256,1,1,1,1,1", ""},
	{"1,1,1,1,1,256", ""},
	{"1,1,1,1,1,1000", ""},
	{"1,1,1,1,1,99999999999999999999", ""},
	{"192,168,1,2,195", ""},
	{"192,168,1,2,195,80,1", ""},
	{"192,168,1,2,195,80,", ""},
	{",192,168,1,2,195,80", ""},
	{"192,168,,2,195,80", ""},
	{"-1,168,1,2,195,80", ""},
	{"192,168,1,2,195,-0", ""},
	{"+1,168,1,2,195,80", ""},
	{"0x1,1,1,1,1,1", ""},
	{"192,168,1,2,195,8 0", ""},
	{"192.168.1.2,195,80", ""},
	{"(192,168,1,2,195,80)", ""},
	{"", ""},
}

var eprtTests = []addrTest{
	{"|1|132.235.1.2|6275|", "132.235.1.2:6275"},
	{"|2|1080::8:800:200C:417A|5282|", "[1080::8:800:200c:417a]:5282"},
	{"|2|::1|21|", "[::1]:21"},
	{"!1!132.235.1.2!6275!", "132.235.1.2:6275"},
	{"#2#::1#21#", "[::1]:21"},
	{"~1~10.0.0.1~65535~", "10.0.0.1:65535"},
	{" |1|10.0.0.1|21| ", "10.0.0.1:21"},
	{"|1|10.0.0.1|021|", "10.0.0.1:21"},
	{"|2|132.235.1.2|6275|", ""},        // IPv4 address with family 2
	{"|2|::ffff:132.235.1.2|6275|", ""}, // IPv4-mapped: use family 1
	{"|1|::1|6275|", ""},                // IPv6 address with family 1
	{"|2|fe80::1%eth0|5282|", ""},       // zone means nothing to the peer
	{"|3|132.235.1.2|6275|", ""},
	{"||132.235.1.2|6275|", ""},
	{"|1|132.235.1.2|65536|", ""},
	{"|1|132.235.1.2|-1|", ""},
	{"|1|132.235.1.2|+21|", ""},
	{"|1|132.235.1.2|0x15|", ""},
	{"|1|132.235.1.2||", ""},
	{"|1||6275|", ""},
	{"|1|132.235.001.002|6275|", ""},
	{"|1|132.235.1.2|6275", ""},
	{"|1|132.235.1.2|6275|x|", ""},
	{"|1|132.235.1.2!6275|", ""},
	{"1|132.235.1.2|6275|", ""},
	{"\x7f1\x7f132.235.1.2\x7f6275\x7f", ""}, // DEL is not printable
	{"|||", ""},
	{"", ""},
}

var lprtTests = []addrTest{
	{"4,4,132,235,1,2,2,24,131", "132.235.1.2:6275"},
	{" 4, 4, 132, 235, 1, 2, 2, 24, 131 ", "132.235.1.2:6275"},
	{"6,16,16,128,0,0,0,0,0,0,0,8,8,0,32,12,65,122,2,20,162", "[1080::8:800:200c:417a]:5282"},
	{"6,16,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1,2,0,21", "[::1]:21"},
	{"4,4,132,235,1,2,3,0,24,131", ""},
	{"4,4,132,235,1,2,1,24,131", ""},
	{"4,16,132,235,1,2,2,24,131", ""},
	{"6,4,132,235,1,2,2,24,131", ""},
	{"4,4,132,235,1,256,2,24,131", ""},
	{"4,4,132,235,1,2,2,24", ""},
	{"4,4,132,235,1,2,2,24,131,0", ""},
	{"4,4,-132,235,1,2,2,24,131", ""},
	{"132,235,1,2,24,131", ""},
	{"", ""},
}

var pasvTests = []addrTest{
	{"227 Entering Passive Mode (192,168,1,2,195,80).", "192.168.1.2:50000"},
	{"Entering Passive Mode (192,168,1,2,195,80).", "192.168.1.2:50000"},
	{"227 Entering Passive Mode 192,168,1,2,195,80", "192.168.1.2:50000"},
	{"227 =192,168,1,2,195,80", "192.168.1.2:50000"},
	{"=192,168,1,2,195,80", "192.168.1.2:50000"},
	{"227 Passive (0,0,0,0,4,1)", "0.0.0.0:1025"},
	{"227 OK 1 2 (10,0,0,1,4,1)", "10.0.0.1:1025"},
	{"227 192,168,1,2,195,80", "192.168.1.2:50000"},
	{"Entering Passive Mode 1 192,168,1,2,195,80", "192.168.1.2:50000"},
	{"227 Entering Passive Mode (192, 168, 1, 2, 195, 80)", "192.168.1.2:50000"},
	{"227 Data transfer will passively listen to 127,0,0,1,4,51", "127.0.0.1:1075"},
	{"227 Entering passive mode. 127,0,0,1,4,51", "127.0.0.1:1075"},
	{"227 Entering Passive Mode (192,168,1,2,195,80", "192.168.1.2:50000"},
	{"Entering Passive Mode\n(192,168,1,2,195,80)", "192.168.1.2:50000"},
	{"227 Entering Passive Mode (1,2,3,4,5,6,7)", "1.2.3.4:1286"}, // first six, as curl
	{"227 Entering Passive Mode (256,1,2,3,4,5,6)", ""},           // not the tail of a bad list
	{"227 Entering Passive Mode (192,168,1,2,195)", ""},
	{"227 Entering Passive Mode (192,168,1,2,195,800)", ""},
	{"227 Entering Passive Mode (-192,168,1,2,195,80)", ""},
	{"227 Entering Passive Mode (192.168.1.2:50000)", ""},
	{"227 Entering Passive Mode (192;168;1;2;195;80)", ""},
	{"227 Entering Passive Mode", ""},
	{"227", ""},
	{"", ""},
}

// epsvTests want "addr port" ("- port" when the address part is empty).
var epsvTests = []addrTest{
	{"229 Entering Extended Passive Mode (|||6446|)", "- 6446"},
	{"Entering Extended Passive Mode (|||6446|)", "- 6446"},
	{"229 Entering Extended Passive Mode (!!!6446!)", "- 6446"},
	{"229 EPSV ok (|||6446|).", "- 6446"},
	{"229 (|||65535|)", "- 65535"},
	{"229 (|||06446|)", "- 6446"},
	// RFC 2428 leaves the address empty; one that parses is kept.
	{"229 (|1|192.0.2.7|6446|)", "192.0.2.7 6446"},
	{"229 (||not an address|6446|)", "- 6446"},
	{"229 ( |||6446| )", ""}, // the delimiter would be a space: RFC 2428 wants 33-126, curl refuses
	{"229 (   6446 )", ""},
	{"229 Entering Extended Passive Mode |||6446|", ""},
	{"229 Entering Extended Passive Mode (|||6446|", ""},
	{"229 Entering Extended Passive Mode |||6446|)", ""},
	{"229 (|||0|)", ""},
	{"229 (|||65536|)", ""},
	{"229 (|||-1|)", ""},
	{"229 (|||+1|)", ""},
	{"229 (||||)", ""},
	{"229 (|||6446)", ""},
	{"229 (||6446|)", ""},
	{"229 (|||6446||)", ""},
	{"229 (|||6446!)", ""},
	{"229 (\x7f\x7f\x7f6446\x7f)", ""},
	{"229 ()", ""},
	{"", ""},
}

var lpsvTests = []addrTest{
	{"228 Entering Long Passive Mode (4,4,192,168,1,2,2,195,80)", "192.168.1.2:50000"},
	{"Entering Long Passive Mode (4,4,192,168,1,2,2,195,80)", "192.168.1.2:50000"},
	{"228 Entering Long Passive Mode (6,16,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1,2,195,80)", "[::1]:50000"},
	{"228 Entering Long Passive Mode 4,4,192,168,1,2,2,195,80", ""},
	{"228 Entering Long Passive Mode (4,4,192,168,1,2,2,195,80", ""},
	{"228 Entering Long Passive Mode (4,4,192,168,1,2,2,195)", ""},
	{"228 Entering Long Passive Mode (192,168,1,2,195,80)", ""},
	{"", ""},
}

func checkAddrPort(t *testing.T, name string, tt addrTest, got netip.AddrPort, err error) {
	t.Helper()
	switch {
	case tt.want == "" && err == nil:
		t.Errorf("%s(%q) = %v, want an error", name, tt.in, got)
	case tt.want != "" && err != nil:
		t.Errorf("%s(%q): %v, want %s", name, tt.in, err, tt.want)
	case tt.want != "" && got.String() != tt.want:
		t.Errorf("%s(%q) = %v, want %s", name, tt.in, got, tt.want)
	}
}

func TestParsePORT(t *testing.T) {
	for _, tt := range portTests {
		got, err := ParsePORT(tt.in)
		checkAddrPort(t, "ParsePORT", tt, got, err)
	}
}

func TestParseEPRT(t *testing.T) {
	for _, tt := range eprtTests {
		got, err := ParseEPRT(tt.in)
		checkAddrPort(t, "ParseEPRT", tt, got, err)
	}
}

func TestParseLPRT(t *testing.T) {
	for _, tt := range lprtTests {
		got, err := ParseLPRT(tt.in)
		checkAddrPort(t, "ParseLPRT", tt, got, err)
	}
}

func TestParsePASVReply(t *testing.T) {
	for _, tt := range pasvTests {
		got, err := ParsePASVReply(tt.in)
		checkAddrPort(t, "ParsePASVReply", tt, got, err)
	}
}

func TestParseLPSVReply(t *testing.T) {
	for _, tt := range lpsvTests {
		got, err := ParseLPSVReply(tt.in)
		checkAddrPort(t, "ParseLPSVReply", tt, got, err)
	}
}

func TestParseEPSVReply(t *testing.T) {
	for _, tt := range epsvTests {
		ip, port, err := ParseEPSVReply(tt.in)
		got := "-"
		if ip.IsValid() {
			got = ip.String()
		}
		got += " " + strconv.Itoa(int(port))
		switch {
		case tt.want == "" && err == nil:
			t.Errorf("ParseEPSVReply(%q) = %s, want an error", tt.in, got)
		case tt.want != "" && err != nil:
			t.Errorf("ParseEPSVReply(%q): %v, want %s", tt.in, err, tt.want)
		case tt.want != "" && got != tt.want:
			t.Errorf("ParseEPSVReply(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

// TestAddressErrorsSayWhy: a data address that cannot be read says why,
// in the words of the RFC that defines its form; an EPRT that only lacks
// its closing delimiter is read all the same.
func TestAddressErrorsSayWhy(t *testing.T) {
	for _, tt := range []struct {
		parse func(string) (netip.AddrPort, error)
		in    string
		want  AddressError
		read  string // the address read despite the error, "" for none
	}{
		{ParsePORT, "192,168,1,2,195", ErrPortFields, ""},
		{ParsePORT, "192,168,1,2,195,80,1", ErrPortFields, ""},
		{ParsePORT, "192,168,1,256,195,80", ErrByteNumber, ""},
		{ParsePORT, "192,168,1,2,195,-0", ErrByteNumber, ""},
		{ParseEPRT, "|2|2002:5183:4383::5183:4383|1031", ErrNoClosingDelim, "[2002:5183:4383::5183:4383]:1031"},
		{ParseEPRT, "|1|132.235.1.2|6275", ErrNoClosingDelim, "132.235.1.2:6275"},
		{ParseEPRT, "|1|132.235.1.2", ErrExtendedForm, ""},
		{ParseEPRT, "|1|132.235.1.2|6275|x|", ErrExtendedForm, ""},
		{ParseEPRT, "", ErrExtendedForm, ""},
		{ParseEPRT, "\x7f1\x7f132.235.1.2\x7f6275\x7f", ErrDelimiter, ""},
		{ParseEPRT, "|3|132.235.1.2|6275|", ErrFamily, ""},
		{ParseEPRT, "|1|132.235.1|6275|", ErrAddress, ""},
		{ParseEPRT, "|2|132.235.1.2|6275|", ErrFamilyMismatch, ""},
		{ParseEPRT, "|2|fe80::1%eth0|5282|", ErrZone, ""},
		{ParseEPRT, "|1|132.235.1.2|65536|", ErrPortNumber, ""},
		{ParseEPRT, "|2|2002::1|99999", ErrPortNumber, ""},
		{ParseLPRT, "4,4,132,235,1,2,2,24", ErrLongFields, ""},
		{ParseLPRT, "4,16,132,235,1,2,2,24,131", ErrLongFamily, ""},
		{ParseLPRT, "4,4,132,235,1,2,3,24,131", ErrLongPortLength, ""},
		{ParseLPRT, "4,4,132,235,1,300,2,24,131", ErrByteNumber, ""},
		{ParsePASVReply, "227 Entering Passive Mode", ErrPASVNumbers, ""},
		{ParseLPSVReply, "228 Entering Long Passive Mode", ErrLPSVParentheses, ""},
		{func(s string) (netip.AddrPort, error) { _, _, err := ParseEPSVReply(s); return netip.AddrPort{}, err },
			"229 Entering Extended Passive Mode", ErrEPSVParentheses, ""},
		{func(s string) (netip.AddrPort, error) { _, _, err := ParseEPSVReply(s); return netip.AddrPort{}, err },
			"229 Entering Extended Passive Mode (|||0|)", ErrEPSVPort, ""},
	} {
		got, err := tt.parse(tt.in)
		if err != tt.want {
			t.Errorf("%q: error %v, want %q", tt.in, err, tt.want)
		}
		if read := got.IsValid(); read != (tt.read != "") || (read && got.String() != tt.read) {
			t.Errorf("%q: read %v, want %q", tt.in, got, tt.read)
		}
	}
}
