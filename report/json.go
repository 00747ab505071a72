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

// JSONWriter writes the records of the JSON Lines contract (DESIGN.md), one
// object per line. encoding/json escapes control characters and replaces
// invalid UTF-8, so the output is always valid.
type JSONWriter struct {
	w     io.Writer
	enc   *json.Encoder
	buf   []byte    // the hand-written records (jsonenc.go)
	times timeCache // their times' last second
}

// NewJSONWriter writes to w.
func NewJSONWriter(w io.Writer) *JSONWriter {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return &JSONWriter{w: w, enc: enc}
}

type sessionRecord struct {
	Type      string         `json:"type"`
	ID        int            `json:"id"`
	Client    string         `json:"client"`
	Server    string         `json:"server"`
	Start     string         `json:"start"`
	End       string         `json:"end"`
	User      string         `json:"user"`
	Login     string         `json:"login"`
	TLS       bool           `json:"tls"`
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
	Time   string `json:"time"`
	Step   int    `json:"step"`
	Op     string `json:"op"`
	Path   string `json:"path"`
	Target string `json:"target,omitempty"`
	Code   int    `json:"code"`
	OK     bool   `json:"ok"`
}

type transferRecord struct {
	Type        string `json:"type"`
	Session     int    `json:"session"`
	ID          int    `json:"id"`
	Command     string `json:"command"`
	Arg         string `json:"arg"`
	Path        string `json:"path"`
	Mode        string `json:"mode"`
	Announce    string `json:"announce"`
	Client      string `json:"client"`
	Server      string `json:"server"`
	DataID      int    `json:"data_id,omitempty"`
	Direction   string `json:"direction"`
	Bytes       int64  `json:"bytes"`
	Start       string `json:"start"`
	End         string `json:"end"`
	Status      int    `json:"status"`
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
}

type credentialRecord struct {
	Type      string `json:"type"`
	Session   int    `json:"session"`
	Time      string `json:"time"`
	Step      int    `json:"step"`
	Client    string `json:"client"`
	Server    string `json:"server"`
	User      string `json:"user"`
	Password  string `json:"password"`
	Outcome   string `json:"outcome"`
	Cleartext bool   `json:"cleartext"`
	HasPass   bool   `json:"password_sent"`
	Anonymous bool   `json:"anonymous,omitempty"`
	Protected bool   `json:"protected,omitempty"`
}

type findingRecord struct {
	Type     string `json:"type"`
	Session  int    `json:"session"`
	Time     string `json:"time"`
	Step     int    `json:"step,omitempty"`
	Severity string `json:"severity"`
	Kind     string `json:"kind"`
	Detail   string `json:"detail"`
}

// SummaryRecord is the last line of the JSON output.
type SummaryRecord struct {
	Type      string   `json:"type"`
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
}

// Session writes every record of one session: the session, its steps,
// commands, transfers, credentials and findings.
func (w *JSONWriter) Session(s *analyzer.Session) error {
	if err := w.enc.Encode(sessionRec(s)); err != nil {
		return err
	}
	for i := range s.Steps {
		if err := w.Step(s, &s.Steps[i]); err != nil {
			return err
		}
	}
	return w.sessionRest(s)
}

// Step writes one step record (live output writes them as they happen).
func (w *JSONWriter) Step(s *analyzer.Session, st *analyzer.Step) error {
	w.buf = appendStep(w.buf[:0], s, st, &w.times)
	_, err := w.w.Write(w.buf)
	return err
}

// SessionEnd writes the records of a session but its steps.
func (w *JSONWriter) SessionEnd(s *analyzer.Session) error {
	if err := w.enc.Encode(sessionRec(s)); err != nil {
		return err
	}
	return w.sessionRest(s)
}

func (w *JSONWriter) sessionRest(s *analyzer.Session) error {
	for _, c := range s.Commands {
		w.buf = appendCommand(w.buf[:0], s, c, &w.times)
		if _, err := w.w.Write(w.buf); err != nil {
			return err
		}
	}
	for _, t := range s.Transfers {
		if err := w.enc.Encode(transferRec(s, t)); err != nil {
			return err
		}
	}
	for _, c := range s.Credentials {
		if err := w.enc.Encode(credentialRecord{Type: "credential", Session: s.ID, Time: jsonTime(c.Time), Step: c.Step,
			Client: jsonAddr(s.Client), Server: jsonAddr(s.Server), User: c.User, Password: c.Password,
			Outcome: c.Outcome, Cleartext: c.Cleartext && c.HasPass, HasPass: c.HasPass, Anonymous: c.Anonymous,
			Protected: c.Protected}); err != nil {
			return err
		}
	}
	for _, f := range s.Findings {
		if err := w.enc.Encode(findingRecord{Type: "finding", Session: s.ID, Time: jsonTime(f.Time), Step: max(f.Step, 0),
			Severity: f.Severity, Kind: f.Kind, Detail: f.Detail}); err != nil {
			return err
		}
	}
	return w.Diagnoses(diagnose.Session(s))
}

// Summary writes the closing summary record.
func (w *JSONWriter) Summary(r SummaryRecord) error {
	r.Type = "summary"
	if r.Warnings == nil {
		r.Warnings = []string{}
	}
	return w.enc.Encode(r)
}

func sessionRec(s *analyzer.Session) sessionRecord {
	r := sessionRecord{Type: "session", ID: s.ID, Client: jsonAddr(s.Client), Server: jsonAddr(s.Server),
		Start: jsonTime(s.Start), End: jsonTime(s.End), User: s.User, Login: s.Login, TLS: s.TLS,
		Commands: len(s.Commands) + s.DroppedCommands, Transfers: len(s.Transfers), Complete: s.Complete, Banner: s.Banner,
		DataConns: len(s.DataConns), Detected: s.Detected, Teardown: s.TeardownKind, Midstream: s.Midstream,
		Software: s.Software, Ended: s.Ended, BytesDown: s.BytesDown, BytesUp: s.BytesUp}
	for _, op := range s.FileOps {
		r.FileOps = append(r.FileOps, fileOpRecord{Time: jsonTime(op.Time), Step: op.Step, Op: op.Op, Path: op.Path,
			Target: op.Target, Code: op.Code, OK: op.OK})
	}
	return r
}

func transferRec(s *analyzer.Session, t *analyzer.Transfer) transferRecord {
	s.WaitHashes() // the digests may still be being computed
	r := transferRecord{Type: "transfer", Session: s.ID, ID: t.ID, Command: t.Command, Arg: t.Arg, Path: t.Path,
		Mode: t.Mode, Announce: t.Announce, Direction: t.Direction, Bytes: t.Bytes, Start: jsonTime(t.Start),
		End: jsonTime(t.End), Status: t.Status, Complete: t.Complete, SHA256: t.SHA256, Verdict: t.Verdict,
		Rest: t.Rest, Aborted: t.Aborted, TypeA: t.TypeA, Gaps: t.Gaps, Stored: t.Stored, AnnouncedBy: t.AnnouncedBy,
		SizeNote: t.SizeNote, Listing: t.Listing, Extracted: t.Extracted}
	if t.Announced >= 0 {
		n := t.Announced
		r.Announced = &n
	}
	if t.Data != nil {
		r.Client, r.Server, r.DataID = jsonAddr(t.Data.Client), jsonAddr(t.Data.Server), t.Data.ID
	}
	return r
}
