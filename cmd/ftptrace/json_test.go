package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ftptrace/ftptrace/schema"
)

// checkSchema fails the test when a line of out does not match
// schema/ftptrace.schema.json.
func checkSchema(t *testing.T, out string) {
	t.Helper()
	if n, err := schema.CheckLines(strings.NewReader(out)); err != nil {
		t.Errorf("the JSON (%d records) does not match schema/ftptrace.schema.json: %v", n, err)
	}
}

// recordTypes are the "type" of each JSON line of out, and the lines.
func recordTypes(t *testing.T, out string) ([]string, []string) {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if out == "" {
		lines = nil
	}
	types := make([]string, len(lines))
	for i, l := range lines {
		var probe struct {
			Type string `json:"type"`
		}
		if err := json.Unmarshal([]byte(l), &probe); err != nil {
			t.Fatalf("invalid JSON line %q: %v", l, err)
		}
		types[i] = probe.Type
	}
	return types, lines
}

// TestViewJSON: each view's --json writes the records its text is made of,
// the same lines as the whole stream holds for them, in the same order;
// --records chooses others.
func TestViewJSON(t *testing.T) {
	cases := []struct {
		args  []string
		types string // the record types written, comma-separated
	}{
		{[]string{"--json"}, "session,step,command,transfer,credential,finding,diagnosis,summary"},
		{[]string{"timeline", "--json"}, "session,step,command,transfer,credential,finding,diagnosis,summary"},
		{[]string{"diagnose", "--json"}, "diagnosis,summary"},
		{[]string{"sessions", "--json"}, "session"},
		{[]string{"transfers", "--json"}, "transfer"},
		{[]string{"creds", "--json"}, "credential,finding"},
		{[]string{"summary", "--json"}, "finding,summary"},
		{[]string{"--json", "--records", "session,credential"}, "session,credential"},
		{[]string{"creds", "--json", "--records", "transfers, summary"}, "transfer,summary"},
	}
	for _, f := range fixtures(t) {
		whole, stderr, code := runCLI(t, "--json", f)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", f, code, stderr)
		}
		wholeTypes, wholeLines := recordTypes(t, whole)
		for _, c := range cases {
			out, stderr, code := runCLI(t, append(c.args, f)...)
			if code != 0 {
				t.Fatalf("%s %v: exit %d: %s", f, c.args, code, stderr)
			}
			keep := map[string]bool{}
			for _, typ := range strings.Split(c.types, ",") {
				keep[typ] = true
			}
			var want []string
			for i, typ := range wholeTypes {
				if keep[typ] {
					want = append(want, wholeLines[i])
				}
			}
			checkSchema(t, out)
			_, got := recordTypes(t, out)
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("%s %v: %d records, not the %d %s records of --json:\n%s", filepath.Base(f), c.args, len(got), len(want), c.types, firstDiff(strings.Join(want, "\n"), strings.Join(got, "\n")))
			}
		}
	}
}

func TestRecordsFlagErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--records", "session"}, "--records session selects JSON records: add --json"},
		{[]string{"--json", "--records", "session,packet"}, `--records: "packet" is no record type: use session, step, command, transfer, credential, finding, diagnosis, summary, latency`},
		{[]string{"--json", "--records", ""}, ""}, // empty: the view's records
		{[]string{"ladder", "--records", "step"}, "the ladder view draws SVG or HTML, not JSON"},
	} {
		_, stderr, code := runCLI(t, append(c.args, article())...)
		if c.want == "" {
			if code != 0 {
				t.Errorf("%v: exit %d: %s", c.args, code, stderr)
			}
			continue
		}
		if code != exitUsage || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d and %q", c.args, code, stderr, exitUsage, c.want)
		}
	}
}

// TestJSONFileAndUID: with several captures every record of a session
// names its file, with one none does; a session's uid is the same read
// alone or with others (its number is not).
func TestJSONFileAndUID(t *testing.T) {
	second := filepath.Join("..", "..", "testdata", "pcaps", "synth-ipv6.pcapng")
	type rec struct {
		Type    string  `json:"type"`
		Session int     `json:"session"`
		UID     string  `json:"uid"`
		File    *string `json:"file"`
	}
	uids := func(args ...string) map[string][]rec {
		out, stderr, code := runCLI(t, append([]string{"--json"}, args...)...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, stderr)
		}
		checkSchema(t, out)
		byFile := map[string][]rec{}
		sc := strings.Split(strings.TrimSpace(out), "\n")
		for _, l := range sc {
			var r rec
			if err := json.Unmarshal([]byte(l), &r); err != nil {
				t.Fatal(err)
			}
			if r.Type == "summary" {
				continue
			}
			file := ""
			if r.File != nil {
				file = *r.File
			}
			byFile[file] = append(byFile[file], r)
		}
		return byFile
	}
	alone := uids(second)
	both := uids(article(), second)
	count := func(byFile map[string][]rec) map[string]int {
		n := map[string]int{}
		for f, recs := range byFile {
			n[f] = len(recs)
		}
		return n
	}
	if len(alone) != 1 || len(alone[""]) == 0 {
		t.Fatalf("one capture: records by the file they name: %v", count(alone))
	}
	if len(both) != 2 || len(both[article()]) == 0 || len(both[second]) != len(alone[""]) {
		t.Fatalf("two captures: records by the file they name: %v", count(both))
	}
	for i, r := range both[second] {
		a := alone[""][i]
		if r.UID != a.UID || !strings.HasPrefix(r.UID, "C") || len(r.UID) != 18 {
			t.Errorf("%s record %d: uid %q read with another capture, %q alone", r.Type, i, r.UID, a.UID)
		}
		if r.Session == a.Session {
			t.Errorf("%s record %d: session %d both ways, though another capture came first", r.Type, i, r.Session)
		}
	}
	if both[article()][0].UID == both[second][0].UID {
		t.Error("two sessions of two captures have the same uid")
	}
}
