package main

import (
	"strings"
	"testing"
)

// TestEachSameAsOneByOne analyses every fixture with --each on four
// workers and checks that the output, the messages and the exit status
// are those of running ftptrace on each fixture in turn.
func TestEachSameAsOneByOne(t *testing.T) {
	files := fixtures(t)
	// A missing file in the middle: its error keeps its place too.
	files = append(files[:3:3], append([]string{"no-such-capture.pcap"}, files[3:]...)...)
	for _, args := range [][]string{nil, {"--json"}, {"--format", "zeek"}, {"--format", "ecs"}, {"transfers", "--format", "csv"}, {"summary"}} {
		var wantOut, wantErr strings.Builder
		wantCode := exitOK
		for _, f := range files {
			out, stderr, code := runCLI(t, append(append([]string{}, args...), f)...)
			wantOut.WriteString(out)
			wantErr.WriteString(stderr)
			wantCode = worseExit(wantCode, code)
		}
		for _, jobs := range []string{"4", "1"} {
			out, stderr, code := runCLI(t, append(append([]string{"--each", "-j", jobs}, args...), files...)...)
			if out != wantOut.String() {
				t.Errorf("%v -j %s: the output differs from one run per capture:\n%s", args, jobs, firstDiff(wantOut.String(), out))
			}
			if stderr != wantErr.String() || code != wantCode {
				t.Errorf("%v -j %s: exit %d, stderr %q; one by one: exit %d, %q", args, jobs, code, stderr, wantCode, wantErr.String())
			}
		}
	}
}

func TestEachUsage(t *testing.T) {
	article := "../../testdata/pcaps/article-active.pcap"
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-j", "4", article, article}, "add --each"},
		{[]string{"--each", "-j", "-2", article}, "1 or more"},
		{[]string{"--each", "ladder", article}, "draw one capture at a time"},
		{[]string{"--each", "--format", "zeek", "-o", t.TempDir(), article}, "give -o a file"},
	} {
		_, stderr, code := runCLI(t, c.args...)
		if code != exitUsage || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, %q; want exit %d and %q", c.args, code, stderr, exitUsage, c.want)
		}
	}
}

func TestWorseExit(t *testing.T) {
	for _, c := range []struct{ a, b, want int }{
		{exitOK, exitOK, exitOK}, {exitOK, exitFailOn, exitFailOn}, {exitFailOn, exitError, exitError},
		{exitError, exitFailOn, exitError}, {exitFailOn, exitOK, exitFailOn}, {exitError, exitOK, exitError},
	} {
		if got := worseExit(c.a, c.b); got != c.want {
			t.Errorf("worseExit(%d, %d) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}
