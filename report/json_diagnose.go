package report

import (
	"github.com/ftptrace/ftptrace/analyzer"
	"github.com/ftptrace/ftptrace/diagnose"
)

// diagnosisRecord is a diagnosis in the JSON Lines (type "diagnosis").
type diagnosisRecord struct {
	Type     string           `json:"type"`
	Session  int              `json:"session"`
	Time     string           `json:"time"`
	Cause    string           `json:"cause"`
	Reason   string           `json:"reason,omitempty"`
	Severity string           `json:"severity"`
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

// Diagnoses writes one diagnosis record per problem (in the current
// language; the cause, reason and severity are the stable names).
func (w *JSONWriter) Diagnoses(ds []diagnose.Diagnosis) error {
	for i := range ds {
		d := &ds[i]
		r := diagnosisRecord{Type: "diagnosis", Session: d.Session, Time: jsonTime(d.Time), Cause: d.Cause, Reason: d.Reason,
			Severity: d.Severity, Title: tr(d.Title.Format, d.Title.Args...), Explain: tr(d.Explain.Format, d.Explain.Args...),
			Fix: tr(d.Fix.Format, d.Fix.Args...), Steps: d.Steps(), Frames: d.Frames(), Evidence: []evidenceRecord{}}
		if r.Steps == nil {
			r.Steps = []int{}
		}
		if r.Frames == nil {
			r.Frames = []int{}
		}
		for _, e := range d.Evidence {
			r.Evidence = append(r.Evidence, evidenceRecord{Step: e.Step, Frames: e.Frames, Text: tr(e.Text.Format, e.Text.Args...)})
		}
		if err := w.enc.Encode(r); err != nil {
			return err
		}
	}
	return nil
}

// latencyRecord is where the time of a session went (type "latency").
type latencyRecord struct {
	Type       string                 `json:"type"`
	Session    int                    `json:"session"`
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
	ID        int      `json:"id"`
	Command   string   `json:"command"`
	Mode      string   `json:"mode"`
	Setup     *float64 `json:"setup_ms,omitempty"`
	Handshake *float64 `json:"handshake_ms,omitempty"`
	FirstByte *float64 `json:"first_byte_ms,omitempty"`
	Duration  *float64 `json:"duration_ms,omitempty"`
	Bytes     int64    `json:"bytes"`
	Rate      float64  `json:"bytes_per_second"`
}

func millis(ok bool, d interface{ Microseconds() int64 }) *float64 {
	if !ok {
		return nil
	}
	v := float64(d.Microseconds()) / 1000
	return &v
}

// Latency writes a session's latency record.
func (w *JSONWriter) Latency(s *analyzer.Session) error {
	l := diagnose.SessionLatency(s)
	r := latencyRecord{Type: "latency", Session: s.ID, RTTSamples: l.RTT.Samples, Commands: []commandLatencyRecord{},
		Slowest: []int{}, Transfers: []dataLatencyRecord{},
		RTT: millis(l.RTT.Known(), l.RTT.Total), RTTServer: millis(l.RTT.Known(), l.RTT.ServerSide), RTTClient: millis(l.RTT.Known(), l.RTT.ClientSide)}
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
		r.Transfers = append(r.Transfers, dataLatencyRecord{ID: t.ID, Command: t.Command, Mode: t.Mode, Bytes: d.Bytes, Rate: d.Rate(),
			Setup: millis(d.HasSetup, d.Setup), Handshake: millis(d.HasHandshake, d.Handshake),
			FirstByte: millis(d.HasFirstByte, d.FirstByte), Duration: millis(d.HasFirstByte, d.Duration)})
	}
	return w.enc.Encode(r)
}
