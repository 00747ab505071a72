package report

import (
	"encoding/json"
	"io"
	"net/netip"
	"time"

	"github.com/ftptrace/ftptrace/analyzer"
	"github.com/ftptrace/ftptrace/diagnose"
)

// timeFormat is RFC 3339 with nanoseconds, always nine digits, UTC.
const timeFormat = "2006-01-02T15:04:05.000000000Z07:00"

// jsonTime formats a time for the records ("" when zero).
func jsonTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return string(appendTimeDigits(nil, t))
}

func jsonAddr(a netip.AddrPort) string {
	if !a.IsValid() {
		return ""
	}
	return a.String()
}

func jsonIP(a netip.AddrPort) string {
	if !a.IsValid() {
		return ""
	}
	return a.Addr().String()
}

// JSONOptions says which records a JSONWriter writes, and what with.
type JSONOptions struct {
	Records Records // the record types written; zero for all of them
	// File names each record's capture file ("file"): set when several
	// captures are read.
	File bool
}

// JSONWriter writes the records of the JSON Lines contract (docs/JSON.md,
// checked against schema/ftptrace.schema.json), one object per line.
// The records of a session are written by hand (jsonenc.go), the same
// bytes as encoding/json writes for the structs below; the summary and
// diagnosis records go through encoding/json.
// encoding/json escapes control characters and replaces invalid UTF-8, so
// the output is always valid; what it leaves raw but a terminal or a viewer
// would obey (C1 and bidirectional controls) is escaped after it
// (safeJSONWriter).
type JSONWriter struct {
	w     io.Writer
	enc   *json.Encoder
	opts  JSONOptions
	buf   []byte      // the hand-written records (jsonenc.go)
	hand  handEncoder // their times' last second, and whether they name the file
	first time.Time   // the earliest session start written (the summary's ts)
}

// NewJSONWriter writes to w.
func NewJSONWriter(w io.Writer, opts JSONOptions) *JSONWriter {
	enc := json.NewEncoder(&safeJSONWriter{w: w})
	enc.SetEscapeHTML(false)
	if opts.Records == 0 {
		opts.Records = AllRecords
	}
	return &JSONWriter{w: w, enc: enc, opts: opts, hand: handEncoder{file: opts.File}}
}

// Writes tells whether the writer writes records of type r.
func (w *JSONWriter) Writes(r Records) bool { return w.opts.Records.Has(r) }

// recordHead begins every record of a session: what it is, when, and
// which session (numbered in this run; uid across runs).
type recordHead struct {
	Type    string `json:"type"`
	TS      string `json:"ts"`
	Session int    `json:"session"`
	UID     string `json:"uid"`
	File    string `json:"file,omitempty"`
}

// head is the head of a record of type typ of session s that happened at
// ts (the session's start when ts is unknown).
func (w *JSONWriter) head(typ string, s *analyzer.Session, ts time.Time) recordHead {
	if ts.IsZero() {
		ts = s.Start
	}
	h := recordHead{Type: typ, TS: jsonTime(ts), Session: s.ID, UID: s.UID}
	if w.opts.File {
		h.File = s.File
	}
	return h
}

// controlEnds are the control connection's endpoints: the FTP client and
// server.
type controlEnds struct {
	Client     string `json:"client"`
	ClientIP   string `json:"client_ip"`
	ClientPort uint16 `json:"client_port"`
	Server     string `json:"server"`
	ServerIP   string `json:"server_ip"`
	ServerPort uint16 `json:"server_port"`
}

func sessionEnds(s *analyzer.Session) controlEnds {
	return controlEnds{Client: jsonAddr(s.Client), ClientIP: jsonIP(s.Client), ClientPort: s.Client.Port(),
		Server: jsonAddr(s.Server), ServerIP: jsonIP(s.Server), ServerPort: s.Server.Port()}
}

// dataEnds are a data connection's endpoints in TCP's words: orig sent
// the SYN, resp answered it. In active mode orig is the FTP server.
type dataEnds struct {
	Orig     string `json:"orig,omitempty"`
	OrigIP   string `json:"orig_ip,omitempty"`
	OrigPort uint16 `json:"orig_port,omitempty"`
	Resp     string `json:"resp,omitempty"`
	RespIP   string `json:"resp_ip,omitempty"`
	RespPort uint16 `json:"resp_port,omitempty"`
}

type sessionRecord struct {
	recordHead
	controlEnds
	End       string         `json:"end"`
	User      string         `json:"user"`
	Login     string         `json:"login"`
	TLS       bool           `json:"tls"`
	Protect   string         `json:"protection,omitempty"`
	Commands  int            `json:"commands"`
	Transfers int            `json:"transfers"`
	Complete  bool           `json:"complete"`
	Banner    string         `json:"banner,omitempty"`
	DataConns int            `json:"data_connections"`
	Detected  string         `json:"detected_by"`
	Teardown  string         `json:"teardown,omitempty"`
	Midstream bool           `json:"midstream,omitempty"`
	Software  string         `json:"software,omitempty"`
	Ended     string         `json:"ended"`
	BytesDown int64          `json:"bytes_down"`
	BytesUp   int64          `json:"bytes_up"`
	FileOps   []fileOpRecord `json:"file_ops,omitempty"`
}

type fileOpRecord struct {
	TS        string `json:"ts"`
	Step      int    `json:"step"`
	Op        string `json:"op"`
	Path      string `json:"path"`
	Target    string `json:"target,omitempty"`
	ReplyCode int    `json:"reply_code"`
	OK        bool   `json:"ok"`
}

type transferRecord struct {
	recordHead
	Transfer int `json:"transfer"`
	controlEnds
	Command  string `json:"command"`
	Arg      string `json:"arg"`
	Path     string `json:"path"`
	Mode     string `json:"mode"`
	Announce string `json:"announce"`
	DataID   int    `json:"data_id,omitempty"`
	dataEnds
	Direction   string `json:"direction"`
	Bytes       int64  `json:"bytes"`
	End         string `json:"end"`
	ReplyCode   int    `json:"reply_code"`
	Complete    bool   `json:"complete"`
	SHA256      string `json:"sha256,omitempty"`
	Verdict     string `json:"verdict"`
	Rest        int64  `json:"rest,omitempty"`
	Aborted     bool   `json:"aborted,omitempty"`
	TypeA       bool   `json:"type_a,omitempty"`
	Gaps        int64  `json:"missing_bytes,omitempty"`
	Stored      string `json:"stored_as,omitempty"`
	Announced   *int64 `json:"announced_size,omitempty"`
	AnnouncedBy string `json:"announced_by,omitempty"`
	SizeNote    string `json:"size_note,omitempty"`
	Listing     string `json:"listing,omitempty"`
	Extracted   string `json:"extracted,omitempty"`
	// With --extract: the length of the file written, and why it stops
	// short or was not written (its sha256 is then left out: it would
	// describe bytes that are not in the file).
	ExtractedBytes *int64 `json:"extracted_bytes,omitempty"`
	ExtractError   string `json:"extract_error,omitempty"`
}

type credentialRecord struct {
	recordHead
	Step int `json:"step"`
	controlEnds
	User      string `json:"user"`
	Password  string `json:"password"`
	Outcome   string `json:"outcome"`
	Cleartext bool   `json:"cleartext"`
	HasPass   bool   `json:"password_sent"`
	Anonymous bool   `json:"anonymous,omitempty"`
	Protected bool   `json:"protected,omitempty"`
	Protect   string `json:"protection,omitempty"`
}

type findingRecord struct {
	recordHead
	Step     int `json:"step,omitempty"`
	LastStep int `json:"last_step,omitempty"`
	Count    int `json:"count,omitempty"`
	controlEnds
	Severity string `json:"severity"`
	Kind     string `json:"kind"`
	Detail   string `json:"detail"`
}

// SummaryRecord is the last line of the JSON output.
type SummaryRecord struct {
	Type      string   `json:"type"`
	TS        string   `json:"ts,omitempty"` // set by the writer: the first session's start
	Schema    int      `json:"schema"`       // set by the writer: SchemaVersion
	Files     []string `json:"files"`
	Packets   int      `json:"packets"`
	Bytes     int64    `json:"bytes"`
	Sessions  int      `json:"sessions"`
	Transfers int      `json:"transfers"`
	Warnings  []string `json:"warnings"`
	Partial   bool     `json:"partial"`
	// Live capture only.
	Interface          string `json:"interface,omitempty"`
	Received           *int   `json:"received,omitempty"`
	DroppedByKernel    *int   `json:"dropped_by_kernel,omitempty"`
	DroppedByInterface *int   `json:"dropped_by_interface,omitempty"`
	// With -w: packets captured but not saved (a write error stopped it).
	NotSaved *int `json:"not_saved,omitempty"`
}

// Session writes every record of one session: the session, its steps,
// commands, transfers, credentials and findings (those of the types the
// writer writes).
func (w *JSONWriter) Session(s *analyzer.Session) error {
	if err := w.sessionRecord(s); err != nil {
		return err
	}
	if w.Writes(RecordStep) {
		for i := range s.Steps {
			if err := w.Step(s, &s.Steps[i]); err != nil {
				return err
			}
		}
	}
	return w.sessionRest(s)
}

// Step writes one step record (live output writes them as they happen).
func (w *JSONWriter) Step(s *analyzer.Session, st *analyzer.Step) error {
	if !w.Writes(RecordStep) {
		return nil
	}
	w.buf = appendStep(w.buf[:0], s, st, &w.hand)
	_, err := w.w.Write(w.buf)
	return err
}

// SessionEnd writes the records of a session but its steps.
func (w *JSONWriter) SessionEnd(s *analyzer.Session) error {
	if err := w.sessionRecord(s); err != nil {
		return err
	}
	return w.sessionRest(s)
}

func (w *JSONWriter) sessionRecord(s *analyzer.Session) error {
	if w.first.IsZero() || (!s.Start.IsZero() && s.Start.Before(w.first)) {
		w.first = s.Start
	}
	if !w.Writes(RecordSession) {
		return nil
	}
	w.buf = appendSession(w.buf[:0], s, &w.hand)
	_, err := w.w.Write(w.buf)
	return err
}

func (w *JSONWriter) sessionRest(s *analyzer.Session) error {
	if w.Writes(RecordCommand) {
		for _, c := range s.Commands {
			w.buf = appendCommand(w.buf[:0], s, c, &w.hand)
			if _, err := w.w.Write(w.buf); err != nil {
				return err
			}
		}
	}
	if w.Writes(RecordTransfer) {
		s.WaitHashes() // the digests may still be being computed
		for _, t := range s.Transfers {
			w.buf = appendTransfer(w.buf[:0], s, t, &w.hand)
			if _, err := w.w.Write(w.buf); err != nil {
				return err
			}
		}
	}
	if w.Writes(RecordCredential) {
		for _, c := range s.Credentials {
			w.buf = appendCredential(w.buf[:0], s, c, &w.hand)
			if _, err := w.w.Write(w.buf); err != nil {
				return err
			}
		}
	}
	if w.Writes(RecordFinding) {
		for _, f := range s.Findings {
			if err := w.Finding(s, f); err != nil {
				return err
			}
		}
	}
	if w.Writes(RecordDiagnosis) {
		if err := w.Diagnoses(s, diagnose.Session(s)); err != nil {
			return err
		}
	}
	if w.Writes(RecordLatency) {
		return w.Latency(s)
	}
	return nil
}

// Finding writes a finding record of session s: one of the session's, or
// one that spans sessions, written once the capture has ended (a brute
// force, with its final count).
func (w *JSONWriter) Finding(s *analyzer.Session, f analyzer.Finding) error {
	if !w.Writes(RecordFinding) {
		return nil
	}
	w.buf = appendFinding(w.buf[:0], s, f, &w.hand)
	_, err := w.w.Write(w.buf)
	return err
}

// findingRec is the finding record that appendFinding writes by hand.
func findingRec(w *JSONWriter, s *analyzer.Session, f analyzer.Finding) findingRecord {
	return findingRecord{recordHead: w.head("finding", s, f.Time), Step: max(f.Step, 0), LastStep: f.LastStep,
		Count: f.Count, controlEnds: sessionEnds(s), Severity: f.Severity, Kind: f.Kind, Detail: f.Detail}
}

// Summary writes the closing summary record, when the writer writes it.
func (w *JSONWriter) Summary(r SummaryRecord) error {
	if !w.Writes(RecordSummary) {
		return nil
	}
	r.Type, r.TS, r.Schema = "summary", jsonTime(w.first), SchemaVersion
	if r.Warnings == nil {
		r.Warnings = []string{}
	}
	if r.Files == nil {
		r.Files = []string{}
	}
	return w.enc.Encode(r)
}

func (w *JSONWriter) sessionRec(s *analyzer.Session) sessionRecord {
	r := sessionRecord{recordHead: w.head("session", s, s.Start), controlEnds: sessionEnds(s),
		End: jsonTime(s.End), User: s.User, Login: s.Login, TLS: s.TLS, Protect: s.Protection,
		Commands: len(s.Commands) + s.DroppedCommands, Transfers: len(s.Transfers), Complete: s.Complete, Banner: s.Banner,
		DataConns: len(s.DataConns), Detected: s.Detected, Teardown: s.TeardownKind, Midstream: s.Midstream,
		Software: s.Software, Ended: s.Ended, BytesDown: s.BytesDown, BytesUp: s.BytesUp}
	for _, op := range s.FileOps {
		r.FileOps = append(r.FileOps, fileOpRecord{TS: jsonTime(op.Time), Step: op.Step, Op: op.Op, Path: op.Path,
			Target: op.Target, ReplyCode: op.Code, OK: op.OK})
	}
	return r
}

func (w *JSONWriter) credentialRec(s *analyzer.Session, c *analyzer.Credential) credentialRecord {
	return credentialRecord{recordHead: w.head("credential", s, c.Time), Step: c.Step,
		controlEnds: sessionEnds(s), User: c.User, Password: c.Password, Outcome: c.Outcome,
		Cleartext: c.Cleartext && c.HasPass, HasPass: c.HasPass, Anonymous: c.Anonymous,
		Protected: c.Protected, Protect: c.Protection}
}

func (w *JSONWriter) transferRec(s *analyzer.Session, t *analyzer.Transfer) transferRecord {
	s.WaitHashes() // the digests may still be being computed
	r := transferRecord{recordHead: w.head("transfer", s, t.Start), Transfer: t.ID, controlEnds: sessionEnds(s),
		Command: t.Command, Arg: t.Arg, Path: t.Path, Mode: t.Mode, Announce: t.Announce, Direction: t.Direction,
		Bytes: t.Bytes, End: jsonTime(t.End), ReplyCode: t.Status, Complete: t.Complete, SHA256: t.SHA256,
		Verdict: t.Verdict, Rest: t.Rest, Aborted: t.Aborted, TypeA: t.TypeA, Gaps: t.Gaps, Stored: t.Stored,
		AnnouncedBy: t.AnnouncedBy, SizeNote: t.SizeNote, Listing: t.Listing, Extracted: t.Extracted}
	if t.Announced >= 0 {
		n := t.Announced
		r.Announced = &n
	}
	if t.Extracted != "" || t.ExtractError != "" {
		n := t.ExtractedBytes
		r.ExtractedBytes, r.ExtractError = &n, t.ExtractError
	}
	if t.ExtractError != "" {
		r.SHA256 = ""
	}
	if d := t.Data; d != nil {
		r.DataID = d.ID
		r.dataEnds = dataEnds{Orig: jsonAddr(d.Client), OrigIP: jsonIP(d.Client), OrigPort: d.Client.Port(),
			Resp: jsonAddr(d.Server), RespIP: jsonIP(d.Server), RespPort: d.Server.Port()}
	}
	return r
}
