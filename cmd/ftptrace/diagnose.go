package main

import (
	"github.com/ftptrace/ftptrace/analyzer"
	"github.com/ftptrace/ftptrace/diagnose"
	"github.com/ftptrace/ftptrace/report"
)

// diagnoses tells whether the output holds diagnoses of the whole capture:
// the diagnose view, and JSON with diagnosis records.
func (p *printer) diagnoses() bool {
	return p.cfg.view == "diagnose" || (p.cfg.json && p.json.Writes(report.RecordDiagnosis))
}

// diagnoseSession writes the diagnosis of a session as it ends (the text
// view; JSON writes it with the session's records).
func (p *printer) diagnoseSession(s *analyzer.Session) {
	ds := diagnose.Session(s)
	p.problems += len(ds)
	p.keep(report.DiagnoseSession(p.w, s, ds))
}

// diagnoseCapture writes what only the whole capture shows (one session
// seen on both sides of a NAT, packets cut by the snap length) and, in
// text, how many problems were found.
func (p *printer) diagnoseCapture() {
	ds := diagnose.Capture(p.fingerprints.List, p.res.stats)
	p.problems += len(ds)
	if p.cfg.json {
		p.keep(p.json.CaptureDiagnoses(p.fingerprints.List, ds))
		return
	}
	p.keep(report.DiagnoseCapture(p.w, ds, p.res.count, p.problems))
}
