package report

import (
	"bytes"
	"encoding/json"
	"fmt"
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

// The reference for the hand-written step and command records: structs
// encoding/json writes them from (the contract in docs/JSON.md), kept here
// so that every test compares the two encodings. They begin with the
// recordHead and use the endpoint structs of the records json.go writes
// through encoding/json.

type stepRecord struct {
	recordHead
	N         int      `json:"n"`
	Frame     int      `json:"frame"`
	Conn      string   `json:"conn"`
	DataID    int      `json:"data_id,omitempty"`
	From      string   `json:"from"`
	FromIP    string   `json:"from_ip"`
	FromPort  uint16   `json:"from_port"`
	To        string   `json:"to"`
	ToIP      string   `json:"to_ip"`
	ToPort    uint16   `json:"to_port"`
	Sender    string   `json:"sender"`
	Kind      string   `json:"kind"`
	Flags     string   `json:"flags"`
	Command   string   `json:"command,omitempty"`
	Verb      string   `json:"verb,omitempty"`
	Arg       string   `json:"arg,omitempty"`
	ReplyCode int      `json:"reply_code,omitempty"`
	ReplyText string   `json:"reply_text,omitempty"`
	Phase     string   `json:"phase,omitempty"`
	Explain   string   `json:"explain"`
	Packets   []packet `json:"packets,omitempty"`
	Bytes     int64    `json:"bytes,omitempty"`
	Segments  int      `json:"segments,omitempty"`
	End       string   `json:"end,omitempty"`
	*address
	AddressError string `json:"address_error,omitempty"`
	Cleartext    bool   `json:"cleartext,omitempty"`
	Encrypted    bool   `json:"encrypted,omitempty"`
	Truncated    bool   `json:"truncated,omitempty"`
	Unterminated bool   `json:"unterminated,omitempty"`
	UntermBy     string `json:"unterminated_by,omitempty"`
	ReplyTo      string `json:"reply_to,omitempty"`
	Lines        int    `json:"lines,omitempty"`
	Telnet       string `json:"telnet,omitempty"`
	Urgent       bool   `json:"urgent,omitempty"`
	Transfer     int    `json:"transfer,omitempty"`
	Abort        string `json:"abort,omitempty"`
}

// address is the endpoint a PORT-like command or a passive reply names.
type address struct {
	Address     string `json:"address"`
	AddressIP   string `json:"address_ip"`
	AddressPort uint16 `json:"address_port"`
}

type packet struct {
	TS    string `json:"ts"`
	From  string `json:"from"`
	To    string `json:"to"`
	Flags string `json:"flags"`
}

type commandRecord struct {
	recordHead
	Step      int      `json:"step"`
	Command   string   `json:"command"`
	Arg       string   `json:"arg"`
	Prelim    int      `json:"preliminary_code,omitempty"`
	ReplyCode int      `json:"reply_code,omitempty"`
	ReplyText string   `json:"reply_text,omitempty"`
	ReplyTime string   `json:"reply_time,omitempty"`
	Latency   *float64 `json:"latency_ms,omitempty"`
}

func stepRec(w *JSONWriter, s *analyzer.Session, st *analyzer.Step) stepRecord {
	r := stepRecord{recordHead: w.head("step", s, st.Time), N: st.N, Frame: st.Frame, Truncated: st.Truncated,
		Unterminated: st.Unterminated, Conn: string(st.Conn), DataID: st.DataID,
		From: jsonAddr(st.From), FromIP: jsonIP(st.From), FromPort: st.From.Port(),
		To: jsonAddr(st.To), ToIP: jsonIP(st.To), ToPort: st.To.Port(), Sender: side(st.FromClient),
		Kind: string(st.Kind), Flags: st.Flags, Command: st.Command, Verb: st.Verb, Arg: st.Arg, ReplyCode: st.Code, ReplyText: st.Text,
		Phase: st.Phase, Explain: Explain(s, st), Bytes: st.Bytes, Segments: st.Segments, Cleartext: st.Cleartext,
		Encrypted: st.Encrypted, ReplyTo: st.ReplyTo, Lines: st.Lines, Telnet: st.Telnet, Urgent: st.Urgent,
		AddressError: st.AddressError, UntermBy: st.UnterminatedBy, Transfer: st.Transfer, Abort: st.Abort}
	if a := st.Address; a.IsValid() {
		r.address = &address{Address: a.String(), AddressIP: a.Addr().String(), AddressPort: a.Port()}
	}
	if !st.End.IsZero() {
		r.End = jsonTime(st.End)
	}
	if st.Kind == analyzer.KindHandshake {
		var flags []string
		for _, p := range st.Packets {
			r.Packets = append(r.Packets, packet{TS: jsonTime(p.Time), From: jsonAddr(p.From), To: jsonAddr(p.To), Flags: p.Flags})
			flags = append(flags, p.Flags)
		}
		r.Flags = strings.Join(flags, " ")
	}
	return r
}

func commandRec(w *JSONWriter, s *analyzer.Session, c *analyzer.Command) commandRecord {
	return commandRecord{recordHead: w.head("command", s, c.Time), Step: c.Step,
		Command: c.Verb, Arg: c.Arg, Prelim: c.Prelim, ReplyCode: c.ReplyCode, ReplyText: c.ReplyText,
		ReplyTime: jsonTime(c.ReplyTime), Latency: latencyMillis(c)}
}

func latencyMillis(c *analyzer.Command) *float64 {
	if ms := diagnose.CommandMillis(c); ms >= 0 {
		return &ms
	}
	return nil
}

// encodingJSON is what JSONWriter writes for v through encoding/json: its
// encoder's bytes, set up as JSONWriter sets it up, with the C1 and
// bidirectional controls escaped after it (escapeJSONUnsafe).
func encodingJSON(t testing.TB, v any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return string(escapeJSONUnsafe(nil, b.Bytes()))
}

// TestStepEncoderMatchesEncodingJSON writes every step, command and finding of the
// project's captures (and the shared ones, when beside the repository)
// both ways, and of sessions whose fields hold every kind of awkward byte.
func TestStepEncoderMatchesEncodingJSON(t *testing.T) {
	paths, _ := filepath.Glob(filepath.Join("..", "testdata", "pcaps", "*.pcap*"))
	shared, _ := filepath.Glob(filepath.Join("..", "..", "shared", "pcaps", "*.pcap*"))
	if len(shared) == 0 {
		t.Log("../shared/pcaps absent: the project's captures only")
	}
	paths = append(paths, shared...)
	steps, commands, findings, sessions, transfers := 0, 0, 0, 0, 0
	for _, path := range paths {
		for _, s := range analyzePath(t, path) {
			s.File = path
			for i := range s.Steps {
				compareStep(t, path, s, &s.Steps[i])
				steps++
			}
			for _, c := range s.Commands {
				compareCommand(t, path, s, c)
				commands++
			}
			for _, f := range s.Findings {
				compareFinding(t, path, s, f)
				findings++
			}
			for _, c := range s.Credentials {
				compareCredential(t, path, s, c)
			}
			compareSession(t, path, s)
			sessions++
			for _, x := range s.Transfers {
				compareTransfer(t, path, s, x)
				transfers++
			}
		}
	}
	if steps < 1000 || commands < 100 || findings < 50 || sessions < 50 || transfers < 50 {
		t.Fatalf("only %d steps, %d commands, %d findings, %d sessions and %d transfers compared: the captures were not read",
			steps, commands, findings, sessions, transfers)
	}
	t.Logf("%d steps, %d commands, %d findings, %d sessions and %d transfers from %d captures: the same bytes",
		steps, commands, findings, sessions, transfers, len(paths))

	// Fields with quotes, controls, invalid UTF-8, U+2028, C1 and
	// bidirectional controls, every flag set.
	when := time.Date(2024, 2, 29, 23, 59, 59, 7, time.FixedZone("UTC+1", 3600))
	v4, v6 := netip.MustParseAddrPort("192.0.2.1:20"), netip.MustParseAddrPort("[2001:db8::1%eth0]:50000")
	odd := []string{"", "\"\\/", "\x00\x01\x08\x0c\x1f\x7f", "\n\r\t", "\xff\xfe", "a\u2028b\u2029c", "<&>", "é漢字\U0001F600", "\xed\xa0\x80",
		"\u0080\u009b[31m\u009f\u00a0", "a\u202ecba\u202c \u2066x\u2069\u202a\u202b\u202d\u2067\u2068", "\u2065\u206a\u2029\u202f"}
	for _, text := range odd {
		s := &analyzer.Session{ID: 7, UID: "CNfVqyi5n8Tp3pQvDo", File: text}
		for _, kind := range []analyzer.StepKind{analyzer.KindHandshake, analyzer.KindCommand, analyzer.KindReply, analyzer.KindData, analyzer.KindFIN} {
			st := &analyzer.Step{N: 3, Frame: 9, Kind: kind, Conn: analyzer.RoleData, DataID: 2, Flags: text, Command: text,
				Arg: text, Code: 226, Text: text, Phase: text, Bytes: 5, Segments: 1, Cleartext: true, Encrypted: true,
				Truncated: true, Unterminated: true}
			st.Packets = []analyzer.Packet{{Flags: "SYN" + text, Time: when, From: v6, To: v4}, {Flags: text}}
			st.Time, st.End, st.From, st.To, st.Address = when, when.Add(time.Millisecond), v4, v6, v6
			compareStep(t, "odd", s, st)
		}
		c := &analyzer.Command{Verb: text, Arg: text, ReplyText: text, Prelim: 150, ReplyCode: 226, Time: when, ReplyTime: when}
		compareCommand(t, "odd", s, c)
		f := analyzer.Finding{Severity: text, Kind: text, Detail: text, Time: when, Step: 4, LastStep: 9, Count: 3}
		compareFinding(t, "odd", s, f)
		s.Client, s.Server = v6, v4
		compareFinding(t, "odd", s, analyzer.Finding{Detail: text, Step: -1})
		compareCredential(t, "odd", s, &analyzer.Credential{User: text, Password: text, Outcome: text, Protection: text, Time: when,
			Step: 5, Cleartext: true, HasPass: true, Anonymous: true, Protected: true})
		compareCredential(t, "odd", s, &analyzer.Credential{User: text, Cleartext: true})
		compareOddSession(t, s, text, when)
	}
}

// compareOddSession compares the session and transfer records of session
// s with text in every string field, every flag set and every optional
// field present, then with every optional field left out.
func compareOddSession(t *testing.T, s *analyzer.Session, text string, when time.Time) {
	t.Helper()
	full := &analyzer.Session{ID: s.ID, UID: s.UID, File: s.File, Client: s.Client, Server: s.Server}
	full.Start, full.End, full.User, full.Login, full.TLS, full.Protection = when, when.Add(time.Second), text, text, true, text
	full.Commands, full.DroppedCommands, full.Complete, full.Banner = []*analyzer.Command{{}}, 2, true, text
	full.Detected, full.TeardownKind, full.Midstream, full.Software, full.Ended = text, text, true, text, text
	full.BytesDown, full.BytesUp = 1<<40, 3
	full.FileOps = []*analyzer.FileOp{{Time: when, Step: 4, Op: text, Path: text, Target: text, Code: 250, OK: true}, {Op: text}}
	v4, v6 := netip.MustParseAddrPort("192.0.2.1:20"), netip.MustParseAddrPort("[2001:db8::1%eth0]:50000")
	for _, data := range []*analyzer.DataConn{
		nil, {ID: 3, Client: v4, Server: v6}, {Client: netip.AddrPortFrom(v6.Addr(), 0), Server: netip.AddrPortFrom(v4.Addr(), 0)},
		{ID: 1, Server: v4},
	} {
		x := &analyzer.Transfer{ID: 2, Command: text, Arg: text, Path: text, Mode: text, Announce: text, Data: data,
			Direction: text, Bytes: 1 << 33, End: when, Status: 226, Complete: true, SHA256: text, Verdict: text, Rest: 7,
			Aborted: true, TypeA: true, Gaps: 9, Stored: text, Announced: 0, AnnouncedBy: text, SizeNote: text,
			Listing: text, Extracted: text, ExtractedBytes: 5, Start: when}
		full.Transfers = []*analyzer.Transfer{x}
		compareSession(t, "odd", full)
		compareTransfer(t, "odd", full, x)
		x.ExtractError = text // the digest left out
		compareTransfer(t, "odd", full, x)
		compareTransfer(t, "odd", s, &analyzer.Transfer{Announced: -1, Data: data, ExtractError: text})
	}
	compareSession(t, "odd", s)
	compareTransfer(t, "odd", s, &analyzer.Transfer{Announced: -1})
}

// plainJSON and namedJSON are writers as the CLI makes them for one
// capture and for several (records naming their file).
var plainJSON, namedJSON = NewJSONWriter(io.Discard, JSONOptions{}), NewJSONWriter(io.Discard, JSONOptions{File: true})

func compareStep(t *testing.T, where string, s *analyzer.Session, st *analyzer.Step) {
	t.Helper()
	want := encodingJSON(t, stepRec(plainJSON, s, st))
	if got := string(appendStep(nil, s, st, nil)); got != want {
		t.Errorf("%s: session %d step %d:\n got %s\nwant %s", where, s.ID, st.N, got, want)
	}
	// With the times' last second remembered, from this step or an
	// earlier, and the file named.
	want = encodingJSON(t, stepRec(namedJSON, s, st))
	for range 2 {
		if got := string(appendStep(nil, s, st, &stepEnc)); got != want {
			t.Errorf("%s: session %d step %d, times cached, file named:\n got %s\nwant %s", where, s.ID, st.N, got, want)
		}
	}
}

// compareRecord compares a record written by hand (hand, with h: nil,
// or a writer's encoder that names the file) with what encoding/json writes
// of its struct (rec, for the writer w: plainJSON or namedJSON).
func compareRecord(t *testing.T, what string, hand func(h *handEncoder) []byte, rec func(w *JSONWriter) any) {
	t.Helper()
	if got, want := string(hand(nil)), encodingJSON(t, rec(plainJSON)); got != want {
		t.Errorf("%s:\n got %s\nwant %s", what, got, want)
	}
	if got, want := string(hand(&stepEnc)), encodingJSON(t, rec(namedJSON)); got != want {
		t.Errorf("%s, file named:\n got %s\nwant %s", what, got, want)
	}
}

func compareCommand(t *testing.T, where string, s *analyzer.Session, c *analyzer.Command) {
	t.Helper()
	compareRecord(t, fmt.Sprintf("%s: session %d command %d", where, s.ID, c.Step),
		func(h *handEncoder) []byte { return appendCommand(nil, s, c, h) },
		func(w *JSONWriter) any { return commandRec(w, s, c) })
}

func compareFinding(t *testing.T, where string, s *analyzer.Session, f analyzer.Finding) {
	t.Helper()
	compareRecord(t, fmt.Sprintf("%s: session %d finding %s", where, s.ID, f.Kind),
		func(h *handEncoder) []byte { return appendFinding(nil, s, f, h) },
		func(w *JSONWriter) any { return findingRec(w, s, f) })
}

func compareCredential(t *testing.T, where string, s *analyzer.Session, c *analyzer.Credential) {
	t.Helper()
	compareRecord(t, fmt.Sprintf("%s: session %d credential of %q", where, s.ID, c.User),
		func(h *handEncoder) []byte { return appendCredential(nil, s, c, h) },
		func(w *JSONWriter) any { return w.credentialRec(s, c) })
}

func compareSession(t *testing.T, where string, s *analyzer.Session) {
	t.Helper()
	compareRecord(t, fmt.Sprintf("%s: session %d", where, s.ID),
		func(h *handEncoder) []byte { return appendSession(nil, s, h) },
		func(w *JSONWriter) any { return w.sessionRec(s) })
}

func compareTransfer(t *testing.T, where string, s *analyzer.Session, x *analyzer.Transfer) {
	t.Helper()
	compareRecord(t, fmt.Sprintf("%s: session %d transfer %d", where, s.ID, x.ID),
		func(h *handEncoder) []byte { return appendTransfer(nil, s, x, h) },
		func(w *JSONWriter) any { return w.transferRec(s, x) })
}

// stepEnc and fuzzTimes keep the last second written from one comparison
// to the next, as a writer keeps its own.
var (
	stepEnc   = handEncoder{file: true}
	fuzzTimes timeCache
)

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
// JSONWriter writes it through encoding/json (escapeJSONUnsafe after it),
// decodes to what encoding/json's own bytes decode to, and leaves no rune
// raw that could drive a terminal or reorder a line.
func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "plain", "\"\\", "\x00\x1f\x7f", "\xff", "\u2028\u2029", "\xe2\x80", "漢\xf0\x9f",
		"\u009b2J\u0085", "\xc2\x9b", "\u202e\u2066\u2069", "\xe2\x80\xae\xe2\x81", "0123456\u0080"} {
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
		for _, r := range got {
			if UnsafeRune(r) && r != '\n' && r != 0x7f { // DEL moves nothing: encoding/json keeps it
				t.Fatalf("%q: %U written raw in %s", s, r, got)
			}
		}
		raw, _ := json.Marshal(s)
		var fromRaw, fromGot string
		if err := json.Unmarshal(raw, &fromRaw); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal([]byte(got), &fromGot); err != nil || fromGot != fromRaw {
			t.Fatalf("%q: %s decodes to %q (%v), encoding/json's to %q", s, got, fromGot, err, fromRaw)
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
	w := NewJSONWriter(io.Discard, JSONOptions{})
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
