package report

import (
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net/netip"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/ftptrace/ftptrace/analyzer"
)

// ECSVersion is the version of the Elastic Common Schema the ECS records
// follow (every field name is checked against its field list in
// ecs_test.go).
const ECSVersion = "8.12.0"

// ECSOptions shape the ECS records.
type ECSOptions struct {
	// File names each record's capture file (log.file.path): set when
	// several captures are read.
	File bool
}

// ECSWriter writes NDJSON in the Elastic Common Schema, one document per
// line, for Elasticsearch or OpenSearch to ingest as it is (through
// Filebeat, Vector or the bulk API): per session one network event, one
// authentication event per login attempt, one file event per transfer and
// one alert per finding. Passwords are in url.password, as they crossed
// the wire (masked with --redact, since Redact runs before).
type ECSWriter struct {
	w    io.Writer
	opts ECSOptions
	buf  []byte
	err  error
}

// NewECSWriter writes to w.
func NewECSWriter(w io.Writer, opts ECSOptions) *ECSWriter {
	return &ECSWriter{w: w, opts: opts}
}

// ecsDoc is one document, built from dotted ECS field names.
type ecsDoc map[string]any

// set puts v at the dotted name, making the objects on the way.
func (d ecsDoc) set(name string, v any) {
	m := d
	for {
		i := strings.IndexByte(name, '.')
		if i < 0 || name[0] == '@' {
			m[name] = v
			return
		}
		next, ok := m[name[:i]].(ecsDoc)
		if !ok {
			next = ecsDoc{}
			m[name[:i]] = next
		}
		m, name = next, name[i+1:]
	}
}

// setStr sets a string field unless it is empty.
func (d ecsDoc) setStr(name, v string) {
	if v != "" {
		d.set(name, v)
	}
}

// Session writes the documents of one session.
func (e *ECSWriter) Session(s *analyzer.Session) error {
	s.WaitHashes()
	e.write(e.sessionDoc(s))
	for _, c := range s.Credentials {
		e.write(e.loginDoc(s, c))
	}
	for _, t := range s.Transfers {
		e.write(e.transferDoc(s, t))
	}
	for _, f := range s.Findings {
		e.write(e.findingDoc(s, f))
	}
	return e.err
}

// Close has nothing to end: every document is a line of its own.
func (e *ECSWriter) Close() error { return e.err }

func (e *ECSWriter) write(d ecsDoc) {
	if e.err != nil {
		return
	}
	b, err := json.Marshal(d) // map keys sorted: the same bytes every run
	if err != nil {
		e.err = err
		return
	}
	e.buf = append(escapeJSONUnsafe(e.buf[:0], b), '\n')
	_, e.err = e.w.Write(e.buf)
}

// base is what every document of a session carries.
func (e *ECSWriter) base(s *analyzer.Session, at time.Time, dataset, action string, kind string, category ...string) ecsDoc {
	if at.IsZero() {
		at = s.Start
	}
	d := ecsDoc{}
	d.set("@timestamp", jsonTime(at))
	d.set("ecs.version", ECSVersion)
	d.set("event.kind", kind)
	d.set("event.category", category)
	d.set("event.module", "ftptrace")
	d.set("event.dataset", "ftptrace."+dataset)
	d.set("event.action", action)
	d.setStr("event.id", s.UID)
	d.set("network.transport", "tcp")
	d.set("network.iana_number", "6")
	d.set("network.protocol", "ftp")
	d.set("network.type", ipType(s.Client.Addr()))
	endpoint(d, "client", s.Client)
	endpoint(d, "server", s.Server)
	d.set("related.ip", relatedIPs(s.Client, s.Server))
	if e.opts.File {
		d.setStr("log.file.path", s.File)
	}
	return d
}

// endpoint sets the address, ip and port of one side.
func endpoint(d ecsDoc, side string, a netip.AddrPort) {
	if !a.IsValid() {
		return
	}
	ip := a.Addr().WithZone("").String()
	d.set(side+".address", ip)
	d.set(side+".ip", ip)
	d.set(side+".port", a.Port())
}

func ipType(a netip.Addr) string {
	if a.Is4() || a.Is4In6() {
		return "ipv4"
	}
	return "ipv6"
}

func relatedIPs(addrs ...netip.AddrPort) []string {
	var out []string
	for _, a := range addrs {
		ip := a.Addr().WithZone("").String()
		if a.IsValid() && !strings.Contains(strings.Join(out, " ")+" ", ip+" ") {
			out = append(out, ip)
		}
	}
	return out
}

// sessionDoc is the control connection as a network event.
func (e *ECSWriter) sessionDoc(s *analyzer.Session) ecsDoc {
	d := e.base(s, s.Start, "session", "ftp-session", "event", "network")
	d.set("event.type", []string{"connection"})
	d.set("event.start", jsonTime(s.Start))
	d.set("event.end", jsonTime(s.End))
	d.set("event.duration", durationBetween(s.Start, s.End).Nanoseconds())
	d.set("event.outcome", map[string]string{"success": "success", "failed": "failure"}[s.Login])
	if d["event"].(ecsDoc)["outcome"] == "" {
		d.set("event.outcome", "unknown")
	}
	endpoint(d, "source", s.Client)
	endpoint(d, "destination", s.Server)
	d.set("source.bytes", s.ControlBytes[0])
	d.set("destination.bytes", s.ControlBytes[1])
	d.set("client.bytes", s.ControlBytes[0])
	d.set("server.bytes", s.ControlBytes[1])
	d.set("network.bytes", s.ControlBytes[0]+s.ControlBytes[1])
	d.set("network.community_id", CommunityID(s.Client, s.Server))
	if s.User != "" {
		d.set("user.name", s.User)
		d.set("related.user", []string{s.User})
	}
	d.set("tls.established", s.TLS)
	d.set("message", fmt.Sprintf("FTP session %d: client %s, server %s, user %s, login %s, %d transfers",
		s.ID, s.Client, s.Server, orDash(s.User), s.Login, len(s.Transfers)))
	return d
}

// loginDoc is a login attempt as an authentication event. The password is
// in url.password when it crossed the wire; a login inside TLS has none.
func (e *ECSWriter) loginDoc(s *analyzer.Session, c *analyzer.Credential) ecsDoc {
	d := e.base(s, c.Time, "login", "ftp-login", "event", "authentication")
	d.set("event.type", []string{"start"})
	d.set("event.outcome", map[string]string{"accepted": "success", "rejected": "failure"}[c.Outcome])
	if d["event"].(ecsDoc)["outcome"] == "" {
		d.set("event.outcome", "unknown")
	}
	endpoint(d, "source", s.Client)
	endpoint(d, "destination", s.Server)
	d.set("url.scheme", "ftp")
	d.set("url.domain", s.Server.Addr().WithZone("").String())
	d.set("url.port", s.Server.Port())
	d.set("tls.established", c.Protected)
	if c.Protected {
		d.set("message", "login inside TLS: the user name and the password are encrypted")
		return d
	}
	d.set("user.name", c.User)
	d.set("related.user", []string{c.User})
	d.set("url.username", c.User)
	if c.HasPass {
		d.set("url.password", c.Password)
	}
	how := "clear-text"
	if c.Anonymous {
		how = "anonymous"
	}
	d.set("message", fmt.Sprintf("%s login of %s: %s", how, strconv.Quote(c.User), c.Outcome))
	return d
}

// transferEventType is event.type of a transfer by direction.
var transferEventType = map[string]string{"download": "access", "upload": "creation", "listing": "info"}

// transferDoc is a transfer as a file event; source and destination are
// the data connection's opener and acceptor (in active mode the FTP
// server opens it), client and server the FTP roles.
func (e *ECSWriter) transferDoc(s *analyzer.Session, t *analyzer.Transfer) ecsDoc {
	action := "ftp-" + strings.ToLower(t.Command)
	if t.Command == "" {
		action = "ftp-data" // a data connection without its control connection: the command is unknown
	}
	d := e.base(s, t.Start, "transfer", action, "event", "file")
	typ := transferEventType[t.Direction]
	if t.Command == "APPE" {
		typ = "change"
	}
	if typ == "" {
		typ = "info"
	}
	d.set("event.type", []string{typ})
	d.set("event.start", jsonTime(t.Start))
	d.setStr("event.end", jsonTime(t.End))
	switch t.Verdict {
	case "complete", "partial", "appended":
		d.set("event.outcome", "success")
	case "failed", "aborted":
		d.set("event.outcome", "failure")
	default:
		d.set("event.outcome", "unknown")
	}
	p := t.Path
	if p == "" {
		p = t.Arg
	}
	if p != "" {
		d.set("file.path", p)
		d.setStr("file.name", path.Base(p))
		if dir := path.Dir(p); dir != "." {
			d.set("file.directory", dir)
		}
		d.set("url.path", p)
	}
	d.set("file.size", t.Bytes)
	d.set("file.type", map[bool]string{true: "dir", false: "file"}[t.Direction == "listing"])
	if t.SHA256 != "" {
		d.set("file.hash.sha256", t.SHA256)
		d.set("related.hash", []string{t.SHA256})
	}
	d.set("url.scheme", "ftp")
	d.set("url.domain", s.Server.Addr().WithZone("").String())
	d.set("url.original", zeekCWD("").url(s.Server.Addr(), p))
	if dc := t.Data; dc != nil {
		d.setStr("file.mime_type", dc.MIME)
		endpoint(d, "source", dc.Client)
		endpoint(d, "destination", dc.Server)
		d.set("source.bytes", dc.Bytes[0])
		d.set("destination.bytes", dc.Bytes[1])
		d.set("network.bytes", dc.Bytes[0]+dc.Bytes[1])
		d.set("network.community_id", CommunityID(dc.Client, dc.Server))
		d.set("related.ip", relatedIPs(s.Client, s.Server, dc.Client, dc.Server))
		d.set("tls.established", dc.TLS)
	}
	if s.User != "" {
		d.set("user.name", s.User)
		d.set("related.user", []string{s.User})
	}
	d.set("message", fmt.Sprintf("%s %s: %s, %d bytes", t.Command, orDash(p), t.Verdict, t.Bytes))
	return d
}

// ecsSeverity is event.severity by the finding's severity, on the scale of
// Elastic's detection rules (low 21, medium 47, high 73).
var ecsSeverity = map[string]int{analyzer.SeverityInfo: 21, analyzer.SeverityWarning: 47, analyzer.SeverityCritical: 73}

// findingDoc is a finding as an alert.
func (e *ECSWriter) findingDoc(s *analyzer.Session, f analyzer.Finding) ecsDoc {
	d := e.base(s, f.Time, "finding", f.Kind, "alert", "intrusion_detection", "network")
	d.set("event.type", []string{"info"})
	d.set("event.severity", ecsSeverity[f.Severity])
	d.set("log.level", f.Severity)
	endpoint(d, "source", s.Client)
	endpoint(d, "destination", s.Server)
	d.set("rule.id", f.Kind)
	d.set("rule.name", f.Kind)
	d.set("rule.ruleset", "ftptrace")
	d.set("rule.description", f.Detail)
	d.set("message", f.Detail)
	if s.User != "" {
		d.set("user.name", s.User)
		d.set("related.user", []string{s.User})
	}
	return d
}

// CommunityID is the Community ID (version 1, seed 0) of a TCP connection
// between a and b: the flow hash Zeek, Suricata and Elastic share
// (network.community_id), so records of the same connection from
// different tools can be joined.
func CommunityID(a, b netip.AddrPort) string {
	ipA, ipB := a.Addr().Unmap().WithZone(""), b.Addr().Unmap().WithZone("")
	if c := ipA.Compare(ipB); c > 0 || (c == 0 && a.Port() > b.Port()) {
		a, b, ipA, ipB = b, a, ipB, ipA
	}
	h := sha1.New()
	h.Write([]byte{0, 0}) // the seed
	h.Write(ipA.AsSlice())
	h.Write(ipB.AsSlice())
	h.Write([]byte{6, 0}) // TCP, padding
	h.Write(binary.BigEndian.AppendUint16(nil, a.Port()))
	h.Write(binary.BigEndian.AppendUint16(nil, b.Port()))
	return "1:" + base64.StdEncoding.EncodeToString(h.Sum(nil))
}
