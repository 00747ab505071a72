package report_test

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ftptrace/ftptrace/analyzer"
	"github.com/ftptrace/ftptrace/internal/synth"
	"github.com/ftptrace/ftptrace/report"
)

// table writes a view's table of the sessions.
func table(t *testing.T, view string, sessions []*analyzer.Session, tab bool) string {
	t.Helper()
	var b bytes.Buffer
	w, err := report.NewTableWriter(&b, view, report.TableOptions{Tab: tab})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range sessions {
		if err := w.Session(s); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// jsonRecords are the JSON records of one type, each as a map.
func jsonRecords(t *testing.T, sessions []*analyzer.Session, typ string) []map[string]any {
	t.Helper()
	var b bytes.Buffer
	records, err := report.ParseRecords(typ)
	if err != nil {
		t.Fatal(err)
	}
	w := report.NewJSONWriter(&b, report.JSONOptions{Records: records})
	for _, s := range sessions {
		if err := w.Session(s); err != nil {
			t.Fatal(err)
		}
	}
	var out []map[string]any
	sc := bufio.NewScanner(&b)
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		var m map[string]any
		d := json.NewDecoder(strings.NewReader(sc.Text()))
		d.UseNumber()
		if err := d.Decode(&m); err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}

// TestTablesReadBack reads every view's CSV with encoding/csv and its TSV
// by splitting lines at tabs: one row per JSON record, the header's
// columns, and in each cell the record's value, whole.
func TestTablesReadBack(t *testing.T) {
	for _, path := range captures(t) {
		sessions := analyseFile(t, path)
		for _, v := range []struct{ view, record string }{{"sessions", "session"}, {"transfers", "transfer"}, {"creds", "credential"}} {
			want := jsonRecords(t, sessions, v.record)
			r := csv.NewReader(strings.NewReader(table(t, v.view, sessions, false)))
			csvRows, err := r.ReadAll()
			if err != nil {
				t.Fatalf("%s %s: encoding/csv: %v", filepath.Base(path), v.view, err)
			}
			var tsvRows [][]string
			for _, line := range strings.Split(strings.TrimSuffix(table(t, v.view, sessions, true), "\n"), "\n") {
				tsvRows = append(tsvRows, strings.Split(line, "\t"))
			}
			for name, rows := range map[string][][]string{"csv": csvRows, "tsv": tsvRows} {
				if len(rows)-1 != len(want) {
					t.Fatalf("%s %s %s: %d rows, %d JSON records", filepath.Base(path), v.view, name, len(rows)-1, len(want))
				}
				header := rows[0]
				for i, rec := range want {
					if len(rows[i+1]) != len(header) {
						t.Fatalf("%s %s %s row %d: %d cells, %d columns", filepath.Base(path), v.view, name, i+1, len(rows[i+1]), len(header))
					}
					for c, col := range header {
						got := rows[i+1][c]
						if _, present := rec[col]; !present && (got == "" || got == "false" || got == "0") {
							continue // a zero value the JSON record leaves out
						}
						if want := cellOf(rec[col]); got != want {
							t.Errorf("%s %s %s row %d %s: %q, JSON %q", filepath.Base(path), v.view, name, i+1, col, got, want)
						}
					}
				}
			}
		}
	}
}

// cellOf is a JSON value as a cell shows it (a field the record leaves
// out is an empty cell, or false, or 0).
func cellOf(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return report.EscapeUnsafe(x)
	case json.Number:
		return x.String()
	}
	return fmt.Sprint(v)
}

// TestTablesEscapeHostileText: a user name with a tab, a line break, a
// comma, a quote, a terminal escape and a bidirectional override stays in
// its cell, on its row, and never reaches the terminal raw.
func TestTablesEscapeHostileText(t *testing.T) {
	sessions := ladderCapture(t, "ready", func(c *synth.Capture, ctl *synth.Conn) {
		ctl.ClientSend("USER a\tb,\"c\x1b[2J\u202ed\r\n")
		ctl.ServerSend("331 password\r\n")
		ctl.ClientSend("PASS x\r\n")
		ctl.ServerSend("530 no\r\n")
	})
	for _, tab := range []bool{false, true} {
		out := table(t, "creds", sessions, tab)
		if strings.Contains(out, "\x1b") || strings.Contains(out, "\u202e") {
			t.Errorf("tab=%v: a control character went through raw:\n%q", tab, out)
		}
		if lines := strings.Count(out, "\n"); lines != 2 {
			t.Errorf("tab=%v: %d lines, want the header and one row:\n%s", tab, lines, out)
		}
	}
	rows, err := csv.NewReader(strings.NewReader(table(t, "creds", sessions, false))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	user := rows[1][indexOf(rows[0], "user")]
	if want := `a\u0009b,"c\u001b[2J\u202ed`; user != want {
		t.Errorf("user cell %q, want %q", user, want)
	}
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}
