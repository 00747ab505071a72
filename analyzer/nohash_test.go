package analyzer_test

import (
	"bytes"
	"regexp"
	"sort"
	"testing"

	"github.com/ftptrace/ftptrace/analyzer"
	"github.com/ftptrace/ftptrace/reassembly"
	"github.com/ftptrace/ftptrace/report"
)

// sha256Field is a transfer record's hash in the JSON Lines.
var sha256Field = regexp.MustCompile(`,"sha256":"[0-9a-f]{64}"`)

// TestNoHashChangesOnlyTheHashes analyses every capture with and without
// Options.NoHash (what the views that show no hash ask for): the records
// must be the same but for the transfers' sha256, which NoHash leaves out.
func TestNoHashChangesOnlyTheHashes(t *testing.T) {
	captures := corpusCaptures(t)
	names := make([]string, 0, len(captures))
	for name := range captures {
		names = append(names, name)
	}
	sort.Strings(names)
	hashed := 0
	for _, name := range names {
		with := jsonLines(t, captures[name], analyzer.Options{})
		without := jsonLines(t, captures[name], analyzer.Options{NoHash: true})
		if sha256Field.Match(without) || bytes.Contains(without, []byte(`"sha256"`)) {
			t.Errorf("%s: a sha256 with NoHash", name)
		}
		hashed += len(sha256Field.FindAll(with, -1))
		if stripped := sha256Field.ReplaceAll(with, nil); !bytes.Equal(stripped, without) {
			t.Errorf("%s: NoHash changed more than the hashes:\n%s", name, firstDifference(stripped, without))
		}
	}
	if hashed < 20 {
		t.Fatalf("only %d transfers hashed in %d captures: the comparison saw too little", hashed, len(names))
	}
	t.Logf("%d captures, %d hashed transfers: identical but for the hashes", len(names), hashed)
}

func jsonLines(t *testing.T, path string, opts analyzer.Options) []byte {
	t.Helper()
	src, err := reassembly.Open(path)
	if err != nil {
		return []byte("unreadable: " + err.Error())
	}
	defer src.Close()
	sessions, _, _ := analyzer.Run(src, opts)
	var out bytes.Buffer
	w := report.NewJSONWriter(&out, report.JSONOptions{})
	for _, s := range sessions {
		if err := w.Session(s); err != nil {
			t.Fatal(err)
		}
	}
	return out.Bytes()
}

func firstDifference(a, b []byte) string {
	al, bl := bytes.Split(a, []byte("\n")), bytes.Split(b, []byte("\n"))
	for i := range min(len(al), len(bl)) {
		if !bytes.Equal(al[i], bl[i]) {
			return "hashing:    " + string(al[i]) + "\nno hashing: " + string(bl[i])
		}
	}
	return "a different number of lines"
}
