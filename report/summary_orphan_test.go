package report_test

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/ftptrace/ftptrace/analyzer"
	"github.com/ftptrace/ftptrace/report"
)

// The summary's findings by kind count a data connection without its
// control connection as what it is, not as a session: "FTP sessions" does
// not count it either.
func TestSummaryFindingsCountOrphansApart(t *testing.T) {
	unencrypted := func() []analyzer.Finding {
		return []analyzer.Finding{{Severity: analyzer.SeverityInfo, Kind: "unencrypted-transfer", Detail: "1 data transfer crossed the network unencrypted"}}
	}
	session := func(id int, orphan string) *analyzer.Session {
		return &analyzer.Session{ID: id, Orphan: orphan, Findings: unencrypted(),
			Client: netip.MustParseAddrPort("192.0.2.10:40000"), Server: netip.MustParseAddrPort("192.0.2.20:21")}
	}
	for _, tc := range []struct {
		name     string
		sessions []*analyzer.Session
		want     string
	}{
		{"orphan only", []*analyzer.Session{session(1, "passive")}, "1 time in 1 data connection without a control connection"},
		{"sessions only", []*analyzer.Session{session(1, ""), session(2, "")}, "2 times in 2 sessions"},
		{"both", []*analyzer.Session{session(1, ""), session(2, "passive"), session(3, "active")},
			"3 times in 1 session and 2 data connections without a control connection"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out strings.Builder
			if err := report.Summary(&out, tc.sessions, report.Totals{Packets: 1}, report.DefaultStyle); err != nil {
				t.Fatal(err)
			}
			var line string
			for _, l := range strings.Split(out.String(), "\n") {
				if strings.Contains(l, "unencrypted-transfer") {
					line = l
					break
				}
			}
			if !strings.HasSuffix(line, tc.want) {
				t.Errorf("findings by kind say %q, want it to end %q:\n%s", line, tc.want, out.String())
			}
		})
	}
}
