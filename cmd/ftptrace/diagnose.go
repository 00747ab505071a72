package main

import (
	"github.com/ftptrace/ftptrace/analyzer"
	"github.com/ftptrace/ftptrace/diagnose"
	"github.com/ftptrace/ftptrace/report"
)

// diagnoseSession writes the diagnosis of a session as it ends, and keeps
// what the capture's diagnosis compares across sessions.
func (p *printer) diagnoseSession(s *analyzer.Session) {
	ds := diagnose.Session(s)
	p.problems += len(ds)
	p.fingerprints = append(p.fingerprints, diagnose.FingerprintOf(s))
	if p.cfg.json {
		p.keep(p.json.Diagnoses(ds))
		return
	}
	p.keep(report.DiagnoseSession(p.w, s, ds))
}

// diagnoseCapture writes what only the whole capture shows (one session
// seen on both sides of a NAT, packets cut by the snap length) and, in
// text, how many problems were found.
func (p *printer) diagnoseCapture() {
	ds := diagnose.Capture(p.fingerprints, p.res.stats)
	p.problems += len(ds)
	if p.cfg.json {
		p.keep(p.json.Diagnoses(ds))
		return
	}
	p.keep(report.DiagnoseCapture(p.w, ds, p.res.count, p.problems))
}
