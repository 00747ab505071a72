package report_test

import (
	"strings"
	"testing"

	"github.com/ftptrace/ftptrace/analyzer"
	"github.com/ftptrace/ftptrace/report"
)

// TestSummaryCountsInAnyOrder: the summary view counts each session as it
// ends (SummaryCounts) instead of keeping it, and sessions end in any
// order: counted backwards, with a finding that spans sessions added after
// them, the summary is the one written from the sessions in order, with
// the first example of each kind the first of the capture's.
func TestSummaryCountsInAnyOrder(t *testing.T) {
	sessions := largeSessions(t, "sessions30")
	brute := analyzer.Finding{Severity: analyzer.SeverityWarning, Kind: "brute-force", Detail: "6 failed logins", Step: 3, Count: 6, Sessions: 3}
	totals := report.Totals{Packets: 1, Bytes: 2, Connections: 3}
	var want strings.Builder
	withBrute := sessions[len(sessions)/2]
	withBrute.Findings = append(withBrute.Findings, brute)
	if err := report.Summary(&want, sessions, totals, report.DefaultStyle); err != nil {
		t.Fatal(err)
	}
	withBrute.Findings = withBrute.Findings[:len(withBrute.Findings)-1]
	var c report.SummaryCounts
	for i := len(sessions) - 1; i >= 0; i-- {
		c.Add(sessions[i])
	}
	if !c.Has(withBrute.ID) || c.Has(sessions[len(sessions)-1].ID+1) {
		t.Fatalf("Has: the sessions added are not the ones counted")
	}
	if !c.AddCross(withBrute.ID, brute) || c.AddCross(sessions[len(sessions)-1].ID+1, brute) {
		t.Fatalf("AddCross: a finding of a session not added was counted, or one of a session added was not")
	}
	var got strings.Builder
	if err := c.Write(&got, totals, report.DefaultStyle); err != nil {
		t.Fatal(err)
	}
	if got.String() != want.String() {
		t.Errorf("summary counted backwards:\n%s\nwant, from the sessions in order:\n%s", got.String(), want.String())
	}
	if !strings.Contains(want.String(), "Findings by kind") || !strings.Contains(want.String(), "brute-force") {
		t.Errorf("the summary of sessions30 shows no findings:\n%s", want.String())
	}
}

// TestCredsInAnyOrder: the creds view keeps each session's logins and
// findings as it ends (Creds) instead of the session, and sessions end in
// any order: added backwards, with a finding that spans sessions added
// after them, the table is the one written from the sessions in order.
func TestCredsInAnyOrder(t *testing.T) {
	sessions := largeSessions(t, "sessions30")
	brute := analyzer.Finding{Severity: analyzer.SeverityWarning, Kind: "brute-force", Detail: "6 failed logins", Step: 3, Count: 6, Sessions: 3}
	var want strings.Builder
	withBrute := sessions[len(sessions)/2]
	withBrute.Findings = append(withBrute.Findings, brute)
	if err := report.CredsTable(&want, sessions, report.DefaultStyle); err != nil {
		t.Fatal(err)
	}
	withBrute.Findings = withBrute.Findings[:len(withBrute.Findings)-1]
	var c report.Creds
	for i := len(sessions) - 1; i >= 0; i-- {
		c.Add(sessions[i])
	}
	if !c.AddCross(withBrute.ID, brute) || c.AddCross(sessions[len(sessions)-1].ID+1, brute) {
		t.Fatalf("AddCross: the sessions added are not the ones kept")
	}
	var got strings.Builder
	if err := c.Write(&got, report.DefaultStyle); err != nil {
		t.Fatal(err)
	}
	if got.String() != want.String() {
		t.Errorf("creds added backwards:\n%s\nwant, from the sessions in order:\n%s", got.String(), want.String())
	}
	if !strings.Contains(want.String(), "brute-force") || strings.Count(want.String(), "\n") < len(sessions) {
		t.Errorf("the creds table of sessions30 shows too little:\n%s", want.String())
	}
}
