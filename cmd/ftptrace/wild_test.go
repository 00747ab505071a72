package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Captures from the wild (issue 15), seen from the command line.

func pcap(name string) string { return filepath.Join("..", "..", "testdata", "pcaps", name) }

// TestBruteForceCountInStreams: the streamed views write a session when it
// ends, but the brute force goes on after the session where it reached the
// threshold: its JSON record and the timeline's closing block carry the
// final count (6 failed logins), once, after the sessions.
func TestBruteForceCountInStreams(t *testing.T) {
	type finding struct {
		Session int    `json:"session"`
		Step    int    `json:"step"`
		Count   int    `json:"count"`
		Kind    string `json:"kind"`
		Detail  string `json:"detail"`
	}
	out, stderr, code := runCLI(t, "--json", pcap("vsftpd-bruteforce.pcap"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var bf []finding
	for _, f := range records[finding](t, out, "finding") {
		if f.Kind == "brute-force" {
			bf = append(bf, f)
		}
	}
	if len(bf) != 1 || bf[0].Count != 6 || bf[0].Session != 5 || !strings.HasPrefix(bf[0].Detail, "6 failed logins") {
		t.Errorf("brute-force records %+v, want one with count 6, session 5", bf)
	}
	out, _, _ = runCLI(t, pcap("vsftpd-bruteforce.pcap"))
	i := strings.Index(out, "Findings across sessions:")
	if i < 0 || strings.Count(out, "brute-force") != 1 || !strings.Contains(out[i:], "6 failed logins") {
		t.Errorf("the timeline does not end with the brute force and its final count:\n%s", out[max(0, len(out)-600):])
	}
	out, _, code = runCLI(t, "--fail-on", "findings", "creds", pcap("vsftpd-bruteforce.pcap"))
	if code != exitFailOn || !strings.Contains(out, "6 failed logins") {
		t.Errorf("creds --fail-on findings: exit %d, want %d and the brute force in the table", code, exitFailOn)
	}
}

// TestFindingPlacesCounted: the same finding in many places says how many
// times and in how many sessions, not "N sessions" for N places: in the
// list of creds, and in the summary's count by kind.
func TestFindingPlacesCounted(t *testing.T) {
	out, _, _ := runCLI(t, "creds", pcap("vsftpd-bruteforce.pcap"))
	if !strings.Contains(out, "... 6 times in 6 sessions)") {
		t.Errorf("creds does not count places and sessions:\n%s", out)
	}
	out, _, _ = runCLI(t, "summary", pcap("vsftpd-bruteforce.pcap"))
	if !strings.Contains(out, "cleartext-password     7 times in 7 sessions") {
		t.Errorf("summary does not count places and sessions:\n%s", out)
	}
	// The brute force is one finding over the sessions it spans, not
	// "1 time in 1 session" (the session it is written with).
	if !strings.Contains(out, "brute-force            1 time in 6 sessions") {
		t.Errorf("summary does not count the sessions a brute force spans:\n%s", out)
	}
	// A group of findings past the bound counts what it stands for: 10
	// bounces itemized and "30 more" are 40, not 11.
	out, _, _ = runCLI(t, "summary", pcap("synth-bounce-scan.pcap"))
	if !strings.Contains(out, "port-bounce            40 times in 1 session") {
		t.Errorf("summary does not count the grouped findings:\n%s", out)
	}
}

// TestSnapLengthExtract: with a snap length of 200 bytes the extracted
// data.bin still has its 65536 bytes (the missing ones as a hole), and the
// file name says it is truncated; the download ABORted after its last byte
// is extracted complete, without ".aborted".
func TestSnapLengthExtract(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"vsftpd-snaplen.pcap", "vsftpd-abor-complete.pcap"} {
		if _, stderr, code := runCLI(t, "transfers", "--extract", dir, pcap(f)); code != 0 {
			t.Fatalf("%s: exit %d: %s", f, code, stderr)
		}
	}
	names, _ := filepath.Glob(filepath.Join(dir, "*data.bin*"))
	var got []string
	for _, n := range names {
		fi, err := os.Stat(n)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, filepath.Base(n)+":"+strconv.FormatInt(fi.Size(), 10))
	}
	want := "s1-t1-data.bin:65536 s1-t2-data.bin.truncated:65536"
	if strings.Join(got, " ") != want {
		t.Errorf("extracted %v, want %s", got, want)
	}
}

// TestLongArgumentShownOnce: a 5 000-character MKD argument appears once
// in the timeline, cut in the middle with the count of what was left out,
// and whole in the JSON step.
func TestLongArgumentShownOnce(t *testing.T) {
	out, _, code := runCLI(t, pcap("synth-long-argument.pcap"))
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	if n := strings.Count(out, "/d0000-d0001"); n != 1 {
		t.Errorf("the argument's start appears %d times in the timeline, want once", n)
	}
	if !strings.Contains(out, "characters ...]") || strings.Contains(out, "d0500-") {
		t.Errorf("the argument is not cut in the middle")
	}
	js, _, _ := runCLI(t, "--json", pcap("synth-long-argument.pcap"))
	type step struct {
		Command string `json:"command"`
		Arg     string `json:"arg"`
	}
	for _, st := range records[step](t, js, "step") {
		if st.Command == "MKD" && len(st.Arg) != 5000 {
			t.Errorf("JSON MKD argument has %d characters, want 5000", len(st.Arg))
		}
	}
}
