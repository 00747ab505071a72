package report

import (
	"strings"
	"testing"

	"github.com/ftptrace/ftptrace/analyzer"
)

// TestWriteFindings: the creds view lists findings worst first, in session
// order within a severity; the same finding in several places is one line
// naming each place, and past four places the first three and a count of
// places and sessions.
func TestWriteFindings(t *testing.T) {
	info := func(detail string, step, last int) *credsFinding {
		return &credsFinding{severity: analyzer.SeverityInfo, kind: "anonymous-login", detail: detail, step: step, lastStep: last}
	}
	crit := &credsFinding{severity: analyzer.SeverityCritical, kind: "cleartext-password", detail: "password of bob", step: 4}
	often := info("often", 2, 0)
	all := []findingAt{
		{1, info("once", 3, 5)},
		{1, often}, {2, crit}, {2, info("twice", 0, 0)}, {3, info("twice", 7, 0)},
		{3, often}, {3, often}, {4, often}, {5, often},
		{6, &credsFinding{severity: analyzer.SeverityWarning, kind: "site-exec", detail: "SITE EXEC", step: 9}},
	}
	var b strings.Builder
	if err := writeFindings(&b, sortFindings(all), DefaultStyle); err != nil {
		t.Fatal(err)
	}
	want := strings.Join([]string{
		"",
		"Findings:",
		"  CRITICAL cleartext-password     password of bob (session 2 step 4)",
		"  WARNING  site-exec              SITE EXEC (session 6 step 9)",
		"  INFO     anonymous-login        once (session 1 steps 3-5)",
		"  INFO     anonymous-login        often (session 1 step 2, session 3 step 2, session 3 step 2, ... 5 times in 4 sessions)",
		"  INFO     anonymous-login        twice (in each of session 2, session 3 step 7)",
		"",
	}, "\n")
	if b.String() != want {
		t.Errorf("findings:\n%s\nwant:\n%s", b.String(), want)
	}
}
