package report

import (
	"time"

	"github.com/ftptrace/ftptrace/analyzer"
	"github.com/ftptrace/ftptrace/diagnose"
)

// diagnosisRecord is a diagnosis in the JSON Lines (type "diagnosis").
type diagnosisRecord struct {
	recordHead
	controlEnds
	Severity string           `json:"severity"`
	Cause    string           `json:"cause"`
	Reason   string           `json:"reason,omitempty"`
	Title    string           `json:"title"`
	Explain  string           `json:"explain"`
	Fix      string           `json:"fix"`
	Steps    []int            `json:"steps"`
	Frames   []int            `json:"frames"`
	Evidence []evidenceRecord `json:"evidence"`
}

type evidenceRecord struct {
	Step   int    `json:"step,omitempty"`
	Frames []int  `json:"frames,omitempty"`
	Text   string `json:"text"`
}

// Diagnoses writes one diagnosis record per problem of session s (the
// sentences in the current language; cause, reason and severity are the
// stable names).
func (w *JSONWriter) Diagnoses(s *analyzer.Session, ds []diagnose.Diagnosis) error {
	for i := range ds {
		if err := w.enc.Encode(diagnosisRec(w.head("diagnosis", s, ds[i].Time), sessionEnds(s), &ds[i])); err != nil {
			return err
		}
	}
	return nil
}

// CaptureDiagnoses writes the diagnoses of the whole capture
// (diagnose.Capture), each under the session it names.
func (w *JSONWriter) CaptureDiagnoses(fps []diagnose.Fingerprint, ds []diagnose.Diagnosis) error {
	if !w.Writes(RecordDiagnosis) {
		return nil
	}
	for i := range ds {
		d := &ds[i]
		s := &analyzer.Session{ID: d.Session}
		for _, f := range fps {
			if f.Session == d.Session {
				s.UID, s.File, s.Client, s.Server, s.Start = f.UID, f.File, f.Client, f.Server, f.Start
			}
		}
		if s.ID == 0 && len(fps) > 0 {
			f := fps[0] // a diagnosis of the capture, not of a session: filed under the first
			s.ID, s.UID, s.File, s.Client, s.Server, s.Start = f.Session, f.UID, f.File, f.Client, f.Server, f.Start
		}
		if s.ID == 0 {
			continue // no session to file it under
		}
		if err := w.enc.Encode(diagnosisRec(w.head("diagnosis", s, d.Time), sessionEnds(s), d)); err != nil {
			return err
		}
	}
	return nil
}

func diagnosisRec(h recordHead, ends controlEnds, d *diagnose.Diagnosis) diagnosisRecord {
	r := diagnosisRecord{recordHead: h, controlEnds: ends, Cause: d.Cause, Reason: d.Reason, Severity: d.Severity,
		Title: sayText(d.Title), Explain: sayText(d.Explain), Fix: sayText(d.Fix),
		Steps: d.Steps(), Frames: d.Frames(), Evidence: []evidenceRecord{}}
	if r.Steps == nil {
		r.Steps = []int{}
	}
	if r.Frames == nil {
		r.Frames = []int{}
	}
	for _, e := range d.Evidence {
		r.Evidence = append(r.Evidence, evidenceRecord{Step: e.Step, Frames: e.Frames, Text: sayText(e.Text)})
	}
	return r
}

// latencyRecord is where the time of a session went (type "latency").
type latencyRecord struct {
	recordHead
	controlEnds
	RTT        *float64               `json:"rtt_ms,omitempty"`
	RTTServer  *float64               `json:"rtt_server_side_ms,omitempty"`
	RTTClient  *float64               `json:"rtt_client_side_ms,omitempty"`
	RTTSamples int                    `json:"rtt_handshakes"`
	Commands   []commandLatencyRecord `json:"commands"`
	Slowest    []int                  `json:"slowest_steps"`
	Transfers  []dataLatencyRecord    `json:"transfers"`
}

type commandLatencyRecord struct {
	Step      int     `json:"step"`
	Command   string  `json:"command"`
	ReplyCode int     `json:"reply_code"`
	Latency   float64 `json:"latency_ms"`
	Network   float64 `json:"network_ms"`
	Server    float64 `json:"server_ms"`
}

type dataLatencyRecord struct {
	Transfer  int      `json:"transfer"`
	Command   string   `json:"command"`
	Mode      string   `json:"mode,omitempty"`
	Setup     *float64 `json:"setup_ms,omitempty"`
	Handshake *float64 `json:"handshake_ms,omitempty"`
	FirstByte *float64 `json:"first_byte_ms,omitempty"`
	Duration  *float64 `json:"duration_ms,omitempty"`
	Bytes     int64    `json:"bytes"`
	Rate      float64  `json:"bytes_per_second"`
}

// millis is d in milliseconds (to the microsecond), nil when not known.
func millis(known bool, d time.Duration) *float64 {
	if !known {
		return nil
	}
	v := float64(d.Microseconds()) / 1000
	return &v
}

// Latency writes a session's latency record.
func (w *JSONWriter) Latency(s *analyzer.Session) error {
	l := diagnose.SessionLatency(s)
	known := l.RTT.Known()
	r := latencyRecord{recordHead: w.head("latency", s, s.Start), controlEnds: sessionEnds(s), RTTSamples: l.RTT.Samples,
		Commands: []commandLatencyRecord{}, Slowest: []int{}, Transfers: []dataLatencyRecord{},
		RTT: millis(known, l.RTT.Total), RTTServer: millis(known, l.RTT.ServerSide), RTTClient: millis(known, l.RTT.ClientSide)}
	for _, c := range l.Commands {
		code := c.Command.Prelim
		if code == 0 {
			code = c.Command.ReplyCode
		}
		r.Commands = append(r.Commands, commandLatencyRecord{Step: c.Command.Step, Command: c.Command.Verb, ReplyCode: code,
			Latency: *millis(true, c.Reply), Network: *millis(true, c.Network), Server: *millis(true, c.Server)})
	}
	for _, c := range l.Slowest(3) {
		r.Slowest = append(r.Slowest, c.Command.Step)
	}
	for _, d := range l.Data {
		t := d.Transfer
		r.Transfers = append(r.Transfers, dataLatencyRecord{Transfer: t.ID, Command: t.Command, Mode: t.Mode, Bytes: d.Bytes, Rate: d.Rate(),
			Setup: millis(d.HasSetup, d.Setup), Handshake: millis(d.HasHandshake, d.Handshake),
			FirstByte: millis(d.HasFirstByte, d.FirstByte), Duration: millis(d.HasFirstByte, d.Duration)})
	}
	return w.enc.Encode(r)
}
