package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gopacket/gopacket/pcapgo"
)

func brute() string { return filepath.Join("..", "..", "testdata", "pcaps", "vsftpd-bruteforce.pcap") }

func passive() string { return filepath.Join("..", "..", "testdata", "pcaps", "vsftpd-passive.pcap") }

// sessionIDs lists the session numbers of a JSON output.
func sessionIDs(t *testing.T, out string) []int {
	t.Helper()
	var ids []int
	for _, s := range records[sessionJSON](t, out, "session") {
		ids = append(ids, s.ID)
	}
	return ids
}

// The narrowing flags choose the sessions of every view, which keep their
// numbers in the capture.
func TestCLINarrowing(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"one session", []string{"--session", "3", brute()}, "[3]"},
		{"two sessions", []string{"--session", "2,7", brute()}, "[2 7]"},
		{"a range", []string{"--session", "2-4", brute()}, "[2 3 4]"},
		{"host of the server", []string{"--host", "127.0.0.1", brute()}, "[1 2 3 4 5 6 7]"},
		{"host in a prefix", []string{"--host", "192.168.120.0/24", article(), passive()}, "[1]"},
		{"host matching none", []string{"--host", "10.9.9.9", brute()}, "[]"},
		{"user", []string{"--user", "yuanbin", article(), passive()}, "[1]"},
		{"since", []string{"--since", "2020-01-01", article(), passive()}, "[2]"},
		{"until", []string{"--until", "2008-11-05T10:00:01Z", article(), passive()}, "[1]"},
		{"together", []string{"--session", "1,2", "--since", "2020-01-01", article(), passive()}, "[2]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, stderr, code := execCLI(t, nil, append([]string{"--json", "--records", "session"}, tt.args...)...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			if got := fmt.Sprint(sessionIDs(t, out)); got != tt.want {
				t.Errorf("sessions %s, want %s", got, tt.want)
			}
		})
	}
	// Every view narrows, the tables too.
	out, _, _ := execCLI(t, nil, "sessions", "--session", "7", brute())
	if lines := strings.Split(strings.TrimSpace(out), "\n"); len(lines) != 3 || !strings.HasPrefix(lines[2], "7 ") {
		t.Errorf("sessions --session 7:\n%s", out)
	}
	out, _, _ = execCLI(t, nil, "--session", "5", brute())
	if !strings.HasPrefix(out, "Session 5:") || strings.Contains(out, "Session 4:") {
		t.Errorf("timeline --session 5 starts %q", out[:min(len(out), 40)])
	}
	out, _, _ = execCLI(t, nil, "--host", "10.9.9.9", brute())
	if !strings.HasPrefix(out, "No FTP session matches") {
		t.Errorf("timeline without a match: %q", out)
	}
	_, stderr, code := execCLI(t, nil, "sessions", "--session", "9", brute())
	if code != exitUsage || !strings.Contains(stderr, "--session 9: no such session; the capture has sessions 1-7") {
		t.Errorf("--session 9: exit %d, %q", code, stderr)
	}
}

// -w with capture files writes exactly the packets of the sessions shown,
// control and data connections: analysed again, they give the same
// session, step for step.
func TestCLIWriteSelectedSessions(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "s2.pcap")
	want, _, code := execCLI(t, nil, "--json", "--records", "step,transfer", "--session", "2", article(), passive())
	if code != 0 {
		t.Fatal("cannot analyse the two captures")
	}
	_, stderr, code := execCLI(t, nil, "sessions", "--session", "2", "-w", out, article(), passive())
	if code != 0 || !strings.Contains(stderr, "packets of 1 session written to "+out) {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	got, _, code := execCLI(t, nil, "--json", "--records", "step,transfer", out)
	if code != 0 {
		t.Fatal("the written capture does not read")
	}
	// The same steps and transfers; only the session's number and the
	// frame numbers (counted in the new file) differ.
	type step struct {
		N       int    `json:"n"`
		Kind    string `json:"kind"`
		Command string `json:"command"`
		Code    int    `json:"code"`
		Explain string `json:"explain"`
	}
	ws, gs := records[step](t, want, "step"), records[step](t, got, "step")
	if len(ws) == 0 || fmt.Sprint(ws) != fmt.Sprint(gs) {
		t.Errorf("the session read back has %d steps, want %d, or they differ", len(gs), len(ws))
	}
	type transfer struct {
		SHA256 string `json:"sha256"`
		Bytes  int64  `json:"bytes"`
	}
	if w, g := records[transfer](t, want, "transfer"), records[transfer](t, got, "transfer"); len(w) != 3 || fmt.Sprint(w) != fmt.Sprint(g) {
		t.Errorf("transfers read back %v, want %v", g, w)
	}
	// Every packet of the passive capture belongs to its one session.
	f, _ := os.Open(out)
	defer f.Close()
	r, err := pcapgo.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for {
		if _, _, err := r.ReadPacketData(); err != nil {
			break
		}
		n++
	}
	orig, _ := os.Open(passive())
	defer orig.Close()
	ro, _ := pcapgo.NewReader(orig)
	m := 0
	for {
		if _, _, err := ro.ReadPacketData(); err != nil {
			break
		}
		m++
	}
	if n != m {
		t.Errorf("-w wrote %d packets, the session has %d", n, m)
	}
}

// A directory stands for the captures in it, read in the order of their
// first packet (rotated tcpdump -G/-C files), as one capture: a session
// that spans files is one session, and each says where it came from.
func TestCLIDirectoryOfRotatedCaptures(t *testing.T) {
	dir := t.TempDir()
	f, err := os.Open(article())
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := pcapgo.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	// Three files whose names sort against their time order, and a file
	// that is no capture.
	names := []string{"c-first.pcap", "b-second.pcap", "a-third.pcap"}
	var ws []*pcapgo.Writer
	for _, n := range names {
		out, err := os.Create(filepath.Join(dir, n))
		if err != nil {
			t.Fatal(err)
		}
		defer out.Close()
		w := pcapgo.NewWriter(out)
		w.WriteFileHeader(65536, r.LinkType())
		ws = append(ws, w)
	}
	os.WriteFile(filepath.Join(dir, "README"), []byte("rotated captures\n"), 0o644)
	for i := 0; ; i++ {
		data, ci, err := r.ReadPacketData()
		if err != nil {
			break
		}
		ws[min(i/13, 2)].WritePacket(ci, data)
	}
	whole, _, _ := execCLI(t, nil, "--json", "--records", "transfer,credential", article())
	joined, stderr, code := execCLI(t, nil, "--json", "--records", "transfer,credential", dir)
	if code != 0 || stderr != "" {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	strip := func(s string) string { // the file field says which file
		var out []string
		for _, l := range strings.Split(s, "\n") {
			if i := strings.Index(l, `"file":`); i >= 0 {
				j := strings.Index(l[i:], `",`)
				l = l[:i] + l[i+j+2:]
			}
			out = append(out, l)
		}
		return strings.Join(out, "\n")
	}
	if strip(joined) != strip(whole) {
		t.Errorf("the directory gives other transfers and logins than the whole capture:\n%s\nwant\n%s", joined, whole)
	}
	timeline, _, _ := execCLI(t, nil, dir)
	for _, want := range []string{"from capture " + filepath.Join(dir, "c-first.pcap"), "frame 13\n", " of " + filepath.Join(dir, "b-second.pcap"), "frame 1 of " + filepath.Join(dir, "a-third.pcap")} {
		if !strings.Contains(timeline, want) {
			t.Errorf("the timeline lacks %q", want)
		}
	}
	if strings.Count(timeline, "Session ") != 1 {
		t.Errorf("the session spanning three files is not one session")
	}
	table, _, _ := execCLI(t, nil, "sessions", "--width", "200", dir, passive())
	if !strings.Contains(table, "c-first.pcap") || !strings.Contains(table, "vsftpd-passive.pcap") {
		t.Errorf("the sessions table does not say which file each session came from:\n%s", table)
	}
}
