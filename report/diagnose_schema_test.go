package report

import (
	"path/filepath"
	"testing"

	"github.com/ftptrace/ftptrace/diagnose"
)

// writeDiagnoseRecords writes, for TestRecordsCoverSchema, a diagnosis
// record with every field (a failed login's reason, evidence with steps
// and frames) and the latency record of a recorded active-mode session
// (round trip, commands, a timed data connection).
func writeDiagnoseRecords(t *testing.T, w *JSONWriter) {
	t.Helper()
	s := fullSession()
	d := diagnose.Diagnosis{Session: s.ID, Cause: "login-failed", Reason: "bad-password", Severity: diagnose.SeverityError,
		Time: s.Start, Title: diagnose.Text{Format: "login failed"}, Explain: diagnose.Text{Format: "why"},
		Fix:      diagnose.Text{Format: "what to do"},
		Evidence: []diagnose.Evidence{{Step: 2, Frames: []int{4}, Text: diagnose.Text{Format: "PASS %s", Args: []any{"x"}}}}}
	if err := w.Diagnoses(s, []diagnose.Diagnosis{d}); err != nil {
		t.Fatal(err)
	}
	sessions := analyzePath(t, filepath.Join("..", "testdata", "pcaps", "vsftpd-active.pcap"))
	if len(sessions) != 1 {
		t.Fatalf("vsftpd-active.pcap: %d sessions", len(sessions))
	}
	sessions[0].File = "vsftpd-active.pcap"
	if err := w.Latency(sessions[0]); err != nil {
		t.Fatal(err)
	}
}
