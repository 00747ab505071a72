package report

import (
	"bytes"
	"encoding/json"
	"io"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/ftptrace/ftptrace/analyzer"
	"github.com/ftptrace/ftptrace/diagnose"
	"github.com/ftptrace/ftptrace/reassembly"
)

// The reference for the hand-written step and command records: the
// structs encoding/json wrote them from before (the JSON contract in
// DESIGN.md), kept here so that every test compares the two encodings.

type stepRecord struct {
	Type         string   `json:"type"`
	N            int      `json:"n"`
	Frame        int      `json:"frame"`
	Time         string   `json:"time"`
	Session      int      `json:"session"`
	Conn         string   `json:"conn"`
	DataID       int      `json:"data_id,omitempty"`
	From         string   `json:"from"`
	To           string   `json:"to"`
	Sender       string   `json:"sender"`
	Kind         string   `json:"kind"`
	Flags        string   `json:"flags"`
	Command      string   `json:"command,omitempty"`
	Arg          string   `json:"arg,omitempty"`
	Code         int      `json:"code,omitempty"`
	Text         string   `json:"text,omitempty"`
	Phase        string   `json:"phase,omitempty"`
	Explain      string   `json:"explain"`
	Packets      []packet `json:"packets,omitempty"`
	Bytes        int64    `json:"bytes,omitempty"`
	Segments     int      `json:"segments,omitempty"`
	End          string   `json:"end,omitempty"`
	Address      string   `json:"address,omitempty"`
	Cleartext    bool     `json:"cleartext,omitempty"`
	Encrypted    bool     `json:"encrypted,omitempty"`
	Truncated    bool     `json:"truncated,omitempty"`
	Unterminated bool     `json:"unterminated,omitempty"`
}

type packet struct {
	Time  string `json:"time"`
	From  string `json:"from"`
	To    string `json:"to"`
	Flags string `json:"flags"`
}

type commandRecord struct {
	Type      string   `json:"type"`
	Session   int      `json:"session"`
	Time      string   `json:"time"`
	Step      int      `json:"step"`
	Command   string   `json:"command"`
	Arg       string   `json:"arg"`
	Prelim    int      `json:"preliminary_code,omitempty"`
	ReplyCode int      `json:"reply_code,omitempty"`
	ReplyText string   `json:"reply_text,omitempty"`
	ReplyTime string   `json:"reply_time,omitempty"`
	Latency   *float64 `json:"latency_ms,omitempty"`
}

func stepRec(s *analyzer.Session, st *analyzer.Step) stepRecord {
	r := stepRecord{Type: "step", N: st.N, Frame: st.Frame, Truncated: st.Truncated, Unterminated: st.Unterminated, Time: jsonTime(st.Time), Session: s.ID, Conn: string(st.Conn),
		DataID: st.DataID, From: jsonAddr(st.From), To: jsonAddr(st.To), Sender: side(st.FromClient),
		Kind: string(st.Kind), Flags: st.Flags, Command: st.Command, Arg: st.Arg, Code: st.Code, Text: st.Text,
		Phase: st.Phase, Explain: Explain(s, st), Bytes: st.Bytes, Segments: st.Segments, Cleartext: st.Cleartext,
		Encrypted: st.Encrypted}
	if st.Address.IsValid() {
		r.Address = st.Address.String()
	}
	if !st.End.IsZero() {
		r.End = jsonTime(st.End)
	}
	if st.Kind == analyzer.KindHandshake {
		var flags []string
		for _, p := range st.Packets {
			r.Packets = append(r.Packets, packet{Time: jsonTime(p.Time), From: jsonAddr(p.From), To: jsonAddr(p.To), Flags: p.Flags})
			flags = append(flags, p.Flags)
		}
		r.Flags = strings.Join(flags, " ")
	}
	return r
}

func commandRec(s *analyzer.Session, c *analyzer.Command) commandRecord {
	return commandRecord{Type: "command", Session: s.ID, Time: jsonTime(c.Time), Step: c.Step,
		Command: c.Verb, Arg: c.Arg, Prelim: c.Prelim, ReplyCode: c.ReplyCode, ReplyText: c.ReplyText,
		ReplyTime: jsonTime(c.ReplyTime), Latency: latencyMillis(c)}
}

func latencyMillis(c *analyzer.Command) *float64 {
	if ms := diagnose.CommandMillis(c); ms >= 0 {
		return &ms
	}
	return nil
}

// encodingJSON is what encoding/json writes for v, as JSONWriter's encoder
// is set up.
func encodingJSON(t testing.TB, v any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestStepEncoderMatchesEncodingJSON writes every step and command of the
// project's captures (and the shared ones, when beside the repository)
// both ways, and of sessions whose fields hold every kind of awkward byte.
func TestStepEncoderMatchesEncodingJSON(t *testing.T) {
	paths, _ := filepath.Glob(filepath.Join("..", "testdata", "pcaps", "*.pcap*"))
	shared, _ := filepath.Glob(filepath.Join("..", "..", "shared", "pcaps", "*.pcap*"))
	if len(shared) == 0 {
		t.Log("../shared/pcaps absent: the project's captures only")
	}
	paths = append(paths, shared...)
	steps, commands := 0, 0
	for _, path := range paths {
		for _, s := range analyzePath(t, path) {
			for i := range s.Steps {
				compareStep(t, path, s, &s.Steps[i])
				steps++
			}
			for _, c := range s.Commands {
				if got, want := string(appendCommand(nil, s, c, nil)), encodingJSON(t, commandRec(s, c)); got != want {
					t.Errorf("%s: command %d:\n got %s\nwant %s", path, c.Step, got, want)
				}
				commands++
			}
		}
	}
	if steps < 1000 || commands < 100 {
		t.Fatalf("only %d steps and %d commands compared: the captures were not read", steps, commands)
	}
	t.Logf("%d steps and %d commands from %d captures: the same bytes", steps, commands, len(paths))

	// Fields with quotes, controls, invalid UTF-8, U+2028, every flag set.
	when := time.Date(2024, 2, 29, 23, 59, 59, 7, time.FixedZone("UTC+1", 3600))
	v4, v6 := netip.MustParseAddrPort("192.0.2.1:20"), netip.MustParseAddrPort("[2001:db8::1%eth0]:50000")
	odd := []string{"", "\"\\/", "\x00\x01\x08\x0c\x1f\x7f", "\n\r\t", "\xff\xfe", "a\u2028b\u2029c", "<&>", "é漢字\U0001F600", "\xed\xa0\x80"}
	for _, text := range odd {
		s := &analyzer.Session{ID: 7}
		for _, kind := range []analyzer.StepKind{analyzer.KindHandshake, analyzer.KindCommand, analyzer.KindReply, analyzer.KindData, analyzer.KindFIN} {
			st := &analyzer.Step{N: 3, Frame: 9, Kind: kind, Conn: analyzer.RoleData, DataID: 2, Flags: text, Command: text,
				Arg: text, Code: 226, Text: text, Phase: text, Bytes: 5, Segments: 1, Cleartext: true, Encrypted: true,
				Truncated: true, Unterminated: true}
			st.Packets = []analyzer.Packet{{Flags: "SYN" + text, Time: when, From: v6, To: v4}, {Flags: text}}
			st.Time, st.End, st.From, st.To, st.Address = when, when.Add(time.Millisecond), v4, v6, v6
			compareStep(t, "odd", s, st)
		}
		c := &analyzer.Command{Verb: text, Arg: text, ReplyText: text, Prelim: 150, ReplyCode: 226, Time: when, ReplyTime: when}
		if got, want := string(appendCommand(nil, s, c, nil)), encodingJSON(t, commandRec(s, c)); got != want {
			t.Errorf("odd command %q:\n got %s\nwant %s", text, got, want)
		}
	}
}

func compareStep(t *testing.T, where string, s *analyzer.Session, st *analyzer.Step) {
	t.Helper()
	want := encodingJSON(t, stepRec(s, st))
	if got := string(appendStep(nil, s, st, nil)); got != want {
		t.Errorf("%s: session %d step %d:\n got %s\nwant %s", where, s.ID, st.N, got, want)
	}
	// With the times' last second remembered, from this step or an earlier.
	for range 2 {
		if got := string(appendStep(nil, s, st, &stepTimes)); got != want {
			t.Errorf("%s: session %d step %d, times cached:\n got %s\nwant %s", where, s.ID, st.N, got, want)
		}
	}
}

// stepTimes and fuzzTimes are time caches kept from one comparison to the
// next, as a writer keeps its own.
var stepTimes, fuzzTimes timeCache

func analyzePath(t *testing.T, path string) []*analyzer.Session {
	src, err := reassembly.Open(path)
	if err != nil {
		t.Logf("%s: %v (not compared)", path, err) // not a capture the reader takes
		return nil
	}
	defer src.Close()
	sessions, _, _ := analyzer.Run(src, analyzer.Options{})
	return sessions
}

// FuzzAppendString: any string, valid UTF-8 or not, is written as
// encoding/json writes it.
func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "plain", "\"\\", "\x00\x1f\x7f", "\xff", "\u2028\u2029", "\xe2\x80", "漢\xf0\x9f"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want := encodingJSON(t, s)
		got := string(appendString(nil, s)) + "\n"
		if got != want {
			t.Fatalf("%q:\n got %s\nwant %s", s, got, want)
		}
		if !utf8.ValidString(got) {
			t.Fatalf("%q: invalid UTF-8 written", s)
		}
	})
}

// FuzzAppendTime: any time, in any zone, is written as time.Format writes
// it with timeFormat, in UTC, quoted ("" for the zero time), by jsonTime
// and appendTime alike.
func FuzzAppendTime(f *testing.F) {
	for _, c := range []struct {
		sec  int64
		nsec int64
		zone int
	}{
		{0, 0, 0}, {1704067200, 6680000, 0}, {1704067200, 999999999, 3600}, {-62135596800, 0, 0}, // year 1
		{-62135596801, 5, 0}, {253402300799, 999999999, 0}, {253402300800, 0, -7200}, // years 0 and 10000
		{-1 << 40, 1, 0}, {1 << 40, 7, 19800}, {1225879200, 50000, -36000},
	} {
		f.Add(c.sec, c.nsec, c.zone)
	}
	f.Fuzz(func(t *testing.T, sec, nsec int64, zone int) {
		tm := time.Unix(sec, nsec).In(time.FixedZone("z", zone%(26*3600)))
		want := tm.UTC().Format(timeFormat)
		if tm.IsZero() {
			want = ""
		}
		if got := jsonTime(tm); got != want {
			t.Fatalf("jsonTime(time.Unix(%d, %d)) in zone %d: got %s, want %s", sec, nsec, zone, got, want)
		}
		if got := string(appendTime(nil, tm, nil)); got != `"`+want+`"` {
			t.Fatalf("appendTime(time.Unix(%d, %d)) in zone %d: got %s, want %q", sec, nsec, zone, got, want)
		}
		// Through a cache: filled by this time, then by the same second
		// with other nanoseconds, and by the times of earlier runs.
		for _, tc := range []*timeCache{{}, &fuzzTimes} {
			for _, x := range []time.Time{tm, tm, tm.Add(time.Duration(-tm.Nanosecond())), time.Unix(sec, 999999999)} {
				wantX := `"` + x.UTC().Format(timeFormat) + `"`
				if x.IsZero() {
					wantX = `""`
				}
				if got := string(appendTime(nil, x, tc)); got != wantX {
					t.Fatalf("appendTime(%v) through a time cache: got %s, want %s", x, got, wantX)
				}
			}
		}
	})
}

// BenchmarkAppendTime: a step's time, as the JSON writer appends it (the
// stdlib's AppendFormat for comparison).
func BenchmarkAppendTime(b *testing.B) {
	tm := time.Unix(1704067200, 6680000)
	buf := make([]byte, 0, 64)
	b.Run("appendTime", func(b *testing.B) {
		for range b.N {
			buf = appendTime(buf[:0], tm, nil)
		}
	})
	b.Run("AppendFormat", func(b *testing.B) {
		for range b.N {
			buf = tm.UTC().AppendFormat(buf[:0], timeFormat)
		}
	})
}

// BenchmarkAppendString: a step's explanation, the longest string of most
// records.
func BenchmarkAppendString(b *testing.B) {
	s := "Three-way handshake: the client opens the control connection from its port 14583 to the server's port 21."
	buf := make([]byte, 0, 256)
	b.SetBytes(int64(len(s)))
	for range b.N {
		buf = appendString(buf[:0], s)
	}
}

// BenchmarkJSONSessions: the JSON view of every session of the project's
// captures, written to nowhere (the records of a large capture cost the
// writer about this much each).
func BenchmarkJSONSessions(b *testing.B) {
	paths, _ := filepath.Glob(filepath.Join("..", "testdata", "pcaps", "*.pcap"))
	var sessions []*analyzer.Session
	for _, path := range paths {
		src, err := reassembly.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		got, _, _ := analyzer.Run(src, analyzer.Options{})
		src.Close()
		sessions = append(sessions, got...)
	}
	w := NewJSONWriter(io.Discard)
	records := 0
	for _, s := range sessions {
		records += 1 + len(s.Steps) + len(s.Commands) + len(s.Transfers) + len(s.Credentials) + len(s.Findings)
	}
	b.ResetTimer()
	for range b.N {
		for _, s := range sessions {
			if err := w.Session(s); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*records), "ns/record")
}
