package main

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ftptrace/ftptrace/analyzer"
	"github.com/ftptrace/ftptrace/internal/synth"
)

// TestInOrderBound: sessions are handed on by number, but one still open
// holds back at most maxWaiting finished ones, and none that finished
// maxWait before the latest; it follows when it ends. Every session is
// handed on once.
func TestInOrderBound(t *testing.T) {
	for _, tt := range []struct {
		name string
		gap  time.Duration // between the ends of sessions 2, 3, ...
		// passed is the number of the session whose arrival passes
		// session 1 over.
		passed int
	}{
		{"by count", time.Millisecond, maxWaiting + 2},
		{"by capture time", 10 * time.Second, int(maxWait/(10*time.Second)) + 3},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var out []int
			most := 0
			o := newInOrder(func(s *analyzer.Session) { out = append(out, s.ID) })
			t0 := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
			const n = 300
			for id := 2; id <= n; id++ {
				o.add(&analyzer.Session{ID: id, End: t0.Add(time.Duration(id) * tt.gap)})
				most = max(most, len(o.waiting))
				if id == tt.passed-1 && len(out) != 0 {
					t.Fatalf("sessions %v handed on before session %d ended, with %d waiting", out, tt.passed, len(o.waiting))
				}
				if id == tt.passed && len(out) != tt.passed-1 {
					t.Fatalf("after session %d ended, %d sessions handed on, want %d", id, len(out), tt.passed-1)
				}
			}
			o.add(&analyzer.Session{ID: 1, End: t0.Add(n * tt.gap)})
			if most > maxWaiting+1 {
				t.Errorf("%d sessions waited at once, want at most %d", most, maxWaiting+1)
			}
			want := make([]int, 0, n)
			for id := 2; id <= n; id++ {
				want = append(want, id)
			}
			if want = append(want, 1); !slices.Equal(out, want) {
				t.Errorf("handed on %v, want 2..%d then 1", out, n)
			}
		})
	}
}

// TestInOrderWaitedLongAfterTheOldestLeft: the session that had waited
// longest is handed on while later ones still wait: only those still
// waiting count for maxWait, not the one gone.
func TestInOrderWaitedLongAfterTheOldestLeft(t *testing.T) {
	var out []int
	o := newInOrder(func(s *analyzer.Session) { out = append(out, s.ID) })
	t0 := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, step := range []struct {
		id   int
		end  time.Duration
		want []int
	}{
		{2, 0, nil},
		{4, 100 * time.Second, nil},
		{1, 100 * time.Second, []int{1, 2}},          // 2 goes; 4 waits for 3
		{5, 150 * time.Second, []int{1, 2}},          // 4 has waited 50 s, not 150
		{6, 230 * time.Second, []int{1, 2, 4, 5, 6}}, // 4 has waited 130 s: 3 is passed over
		{3, 240 * time.Second, []int{1, 2, 4, 5, 6, 3}},
	} {
		o.add(&analyzer.Session{ID: step.id, End: t0.Add(step.end)})
		if !slices.Equal(out, step.want) {
			t.Fatalf("after session %d: handed on %v, want %v", step.id, out, step.want)
		}
	}
}

// idleFirst builds a capture whose first session stays open, idle, to the
// end, while n more sessions begin and end after it, one a second, and
// two of them begin in the same microsecond.
func idleFirst(t *testing.T, n int) string {
	t.Helper()
	capt := synth.New(synth.Options{})
	srv := netip.MustParseAddrPort("198.51.100.21:21")
	idle := capt.Conn(netip.MustParseAddrPort("192.0.2.1:40000"), srv)
	idle.Handshake()
	idle.ServerSend("220 ready\r\n")
	idle.ClientSend("USER idle\r\n")
	idle.ServerSend("331 password please\r\n")
	for i := 0; i < n; i++ {
		capt.Advance(time.Second)
		var conns []*synth.Conn
		for j := 0; j < 1+i%2; j++ { // odd rounds: two sessions, SYNs in the same microsecond
			c := capt.Conn(netip.AddrPortFrom(netip.MustParseAddr(fmt.Sprintf("192.0.2.%d", 2+j)), uint16(41000+i)), srv)
			at := capt.Now()
			c.Emit(synth.Segment{From: synth.Client, Flags: synth.SYN, Seq: c.NextSeq(synth.Client) - 1, At: at})
			conns = append(conns, c)
		}
		for j, c := range conns {
			c.Emit(synth.Segment{From: synth.Server, Flags: synth.SYN | synth.ACK, Seq: c.NextSeq(synth.Server) - 1, Ack: c.NextSeq(synth.Client)})
			c.ClientAck()
			c.ServerSend("220 ready\r\n")
			c.ClientSend(fmt.Sprintf("USER u%d-%d\r\n", i, j))
			c.ServerSend("331 password please\r\n")
			c.ClientSend("PASS secret\r\n")
			c.ServerSend("230 in\r\n")
			c.ClientSend("QUIT\r\n")
			c.ServerSend("221 bye\r\n")
			c.Close(synth.Server)
		}
	}
	path := filepath.Join(t.TempDir(), "idle-first.pcap")
	if err := capt.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestOpenSessionHoldsNothingBack: in a capture whose first session stays
// open to the end, the JSON records of the later sessions come out as they
// end, before the first's; the first keeps its number.
func TestOpenSessionHoldsNothingBack(t *testing.T) {
	path := idleFirst(t, 200)
	out, stderr, code := runCLI(t, "--json", "--records", "session", path)
	if code != 0 {
		t.Fatalf("exit status %d: %s", code, stderr)
	}
	var ids []int
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		var r struct {
			Type    string
			Session int
			User    string
		}
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatal(err)
		}
		if r.Type == "session" {
			ids = append(ids, r.Session)
			if r.Session == 1 && r.User != "idle" {
				t.Errorf("session 1 is user %q, want the idle one", r.User)
			}
		}
	}
	if len(ids) != 301 || ids[len(ids)-1] != 1 || ids[0] != 2 {
		t.Fatalf("%d session records, first %v, last %v: want 301, session 1 last", len(ids), ids[:min(3, len(ids))], ids[len(ids)-1])
	}
	sorted := slices.Clone(ids)
	slices.Sort(sorted)
	for i, id := range sorted {
		if id != i+1 {
			t.Fatalf("session numbers %v..., want each of 1..301 once", sorted[:i+1])
		}
	}
}

// TestSessionNumbersAgree runs every view on every capture of the project,
// the shared practice captures and a capture with two sessions that begin
// in the same microsecond: each session has the same number, client and
// server in the timeline, the JSON, the sessions, transfers and creds
// tables and the ladder, and the same output in a second run.
func TestSessionNumbersAgree(t *testing.T) {
	paths, _ := filepath.Glob(filepath.Join("..", "..", "testdata", "pcaps", "*.pcap*"))
	shared, _ := filepath.Glob(filepath.Join(sharedPcaps, "*"))
	if len(shared) == 0 {
		t.Logf("%s is absent: only the project's captures are compared", sharedPcaps)
	}
	for _, p := range shared {
		if !strings.HasSuffix(p, ".tsv") {
			paths = append(paths, p)
		}
	}
	paths = append(paths, idleFirst(t, 6))
	for _, path := range paths {
		t.Run(filepath.Base(path), func(t *testing.T) { numbersAgree(t, path) })
	}
}

var (
	timelineHead = regexp.MustCompile(`(?m)^Session (\d+): FTP client (\S+), server (\S+)$`)
	tableRow     = regexp.MustCompile(`(?m)^ *(\d+) +(\S+) `)
	transferRow  = regexp.MustCompile(`(?m)^ *(\d+) +\d+ +[A-Z?]`)
	credsRow     = regexp.MustCompile(`(?m)^ *(\d+) +\d+ +(\S+) `)
)

func numbersAgree(t *testing.T, path string) {
	out, _, code := runCLI(t, "--json", path)
	if code != 0 && code != 1 {
		t.Skipf("exit status %d", code)
	}
	type who struct{ client, server string }
	byID := map[int]who{}
	transfers := map[int]int{}
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		var r struct {
			Type, Client, Server string
			Session              int
		}
		if json.Unmarshal([]byte(l), &r) != nil {
			continue
		}
		switch r.Type {
		case "session":
			byID[r.Session] = who{r.Client, r.Server}
		case "transfer":
			transfers[r.Session]++
		}
	}
	check := func(view string, id int, client, server string) {
		t.Helper()
		w, ok := byID[id]
		switch {
		case !ok:
			t.Errorf("%s names session %d, the JSON has none", view, id)
		case !sameCell(client, w.client), !sameCell(server, w.server):
			t.Errorf("%s: session %d is %s -> %s, the JSON's %s -> %s", view, id, client, server, w.client, w.server)
		}
	}
	atoi := func(s string) int { n, _ := strconv.Atoi(s); return n }
	// Tables wide enough that no address is elided.
	once := func(view ...string) string {
		out, _, _ := runCLI(t, append(view, "--width", "1000", path)...)
		return out
	}
	timeline := run2(t, path)
	seen := 0
	for _, m := range timelineHead.FindAllStringSubmatch(timeline, -1) {
		check("the timeline", atoi(m[1]), m[2], m[3])
		seen++
	}
	if seen != len(byID) {
		t.Errorf("the timeline has %d sessions, the JSON %d", seen, len(byID))
	}
	run2(t, path, "--json")
	for _, m := range tableRow.FindAllStringSubmatch(once("sessions"), -1) {
		check("the sessions table", atoi(m[1]), m[2], "")
	}
	perSession := map[int]int{}
	for _, m := range transferRow.FindAllStringSubmatch(once("transfers"), -1) {
		perSession[atoi(m[1])]++
	}
	for id, n := range perSession {
		if transfers[id] != n {
			t.Errorf("the transfers table has %d transfers of session %d, the JSON %d", n, id, transfers[id])
		}
	}
	for _, m := range credsRow.FindAllStringSubmatch(once("creds"), -1) {
		check("the creds table", atoi(m[1]), m[2], "")
	}
	for id, w := range byID {
		if id > 3 && id != len(byID) {
			continue // the first sessions and the last are enough
		}
		svg, _, _ := runCLI(t, "ladder", "--session", strconv.Itoa(id), path)
		if !strings.Contains(svg, fmt.Sprintf("Session %d: FTP client %s, server %s", id, w.client, w.server)) {
			t.Errorf("the ladder of session %d is not titled with its client %s and server %s", id, w.client, w.server)
		}
	}
}

// sameCell tells whether a table cell shows value, whole or elided ("…" and
// its end); "" matches anything (the column is not shown).
func sameCell(cell, value string) bool {
	return cell == "" || cell == value || strings.HasPrefix(cell, "…") && strings.HasSuffix(value, strings.TrimPrefix(cell, "…"))
}

// run2 runs a view twice and returns its output, which must be the same
// both times.
func run2(t *testing.T, path string, view ...string) string {
	t.Helper()
	args := append(slices.Clone(view), path)
	a, _, _ := runCLI(t, args...)
	b, _, _ := runCLI(t, args...)
	if a != b {
		t.Errorf("%v: two runs differ:\n%s", view, firstDiff(a, b))
	}
	return a
}

// TestSameOutputEveryRun: every capture of the project read as one (their
// times far apart, so that sessions end by the idle timeout and some are
// passed over) gives the same timeline and JSON every run. The
// connections gopacket's flush closed together ended in the order of a map,
// and the sessions they ended came out in another order each run.
func TestSameOutputEveryRun(t *testing.T) {
	files := fixtures(t)
	for _, view := range [][]string{{"timeline"}, {"--json"}} {
		args := append(slices.Clone(view), files...)
		first, _, _ := runCLI(t, args...)
		for run := 2; run <= 4; run++ {
			if got, _, _ := runCLI(t, args...); got != first {
				t.Fatalf("%s of every capture as one: run %d differs from run 1:\n%s", view[0], run, firstDiff(first, got))
			}
		}
	}
}

// TestInBackgroundBatches: sessions handed over in batches reach the
// writer all, once each, in the order given, whatever the batch size and
// however many are left over when the analysis ends; with a batch of 1
// each is written before the next is handed on (output someone watches).
func TestInBackgroundBatches(t *testing.T) {
	for _, batch := range []int{1, 3, sessionBatch} {
		for _, n := range []int{0, 1, batch, 2*batch + 1, 200} {
			t.Run(fmt.Sprintf("batch %d, %d sessions", batch, n), func(t *testing.T) {
				var got []int
				written := make(chan int, 1)
				emit, wait := inBackground(func(s *analyzer.Session) {
					got = append(got, s.ID)
					if batch == 1 {
						written <- s.ID
					}
				}, batch)
				for id := 1; id <= n; id++ {
					emit(&analyzer.Session{ID: id})
					if batch == 1 {
						if w := <-written; w != id {
							t.Fatalf("session %d written while %d was handed on", w, id)
						}
					}
				}
				wait()
				if len(got) != n {
					t.Fatalf("%d sessions written, want %d", len(got), n)
				}
				for i, id := range got {
					if id != i+1 {
						t.Fatalf("written in the order %v", got)
					}
				}
			})
		}
	}
}
