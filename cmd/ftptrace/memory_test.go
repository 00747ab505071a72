package main

import (
	"io"
	"path/filepath"
	"testing"

	"github.com/ftptrace/ftptrace/report"
)

// TestTableViewsKeepReleasedSessions: the table views keep every session
// until the end, so each must be kept without what no table reads (steps,
// commands, data connections), or memory grows with everything a capture's
// sessions said and the collector ends up running without pause (the creds
// view of the 8 GB benchmark capture once ran 2.4 times slower for it).
// The streamed views, the summary (its counts) and creds (its logins and
// findings) keep none. The tables' counts must not change.
func TestTableViewsKeepReleasedSessions(t *testing.T) {
	paths, _ := filepath.Glob(filepath.Join("..", "..", "testdata", "pcaps", "vsftpd-*.pcap"))
	if len(paths) < 5 {
		t.Fatalf("only %d vsftpd captures found", len(paths))
	}
	for _, view := range []string{"sessions", "transfers", "creds", "summary", "timeline", "--json"} {
		cfg, err := parseArgs(append([]string{view}, paths...))
		if err != nil {
			t.Fatal(err)
		}
		res := &result{}
		p := newPrinter(cfg, nopCloser{io.Discard}, res, printOptions{style: report.DefaultStyle})
		analyzeArgs(t, append([]string{view}, paths...), p.session)
		if len(p.seen) != 0 {
			t.Errorf("%s: the numbers of %d sessions kept without --session to check", view, len(p.seen))
		}
		if p.streams() || view == "summary" || view == "creds" {
			// The summary counts each session as it ends, creds keeps
			// its logins and findings.
			if len(res.sessions) != 0 {
				t.Errorf("%s: %d sessions kept by a view that keeps none", view, len(res.sessions))
			}
			continue
		}
		if len(res.sessions) != res.count || res.count < 5 {
			t.Fatalf("%s: %d sessions kept of %d", view, len(res.sessions), res.count)
		}
		commands := 0
		for _, s := range res.sessions {
			if s.Steps != nil || s.Commands != nil || s.DataConns != nil {
				t.Errorf("%s: session %d kept with %d steps, %d commands, %d data connections",
					view, s.ID, len(s.Steps), len(s.Commands), len(s.DataConns))
			}
			commands += s.NumCommands()
		}
		if commands == 0 {
			t.Errorf("%s: the kept sessions count no commands", view)
		}
	}
}
