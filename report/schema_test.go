package report

import (
	"bytes"
	"encoding/json"
	"net/netip"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ftptrace/ftptrace/analyzer"
	"github.com/ftptrace/ftptrace/schema"
)

// fullSession is a session with every field of every record set at least
// once, so that what the writer writes can be compared with what the
// schema lists. A field added to the records goes here too (docs/JSON.md,
// "Adding a field").
func fullSession() *analyzer.Session {
	at := func(ms int) time.Time { return time.Date(2024, 5, 1, 12, 0, 0, ms*1e6, time.UTC) }
	client, server := netip.MustParseAddrPort("192.0.2.10:40000"), netip.MustParseAddrPort("198.51.100.21:21")
	dataFrom, dataTo := netip.MustParseAddrPort("198.51.100.21:20"), netip.MustParseAddrPort("192.0.2.10:40001")
	s := &analyzer.Session{ID: 3, UID: "C0VsUWADXgFcQIABLJ", File: "monday.pcap", Client: client, Server: server,
		Start: at(0), End: at(900), User: "alice", Login: "success", TLS: true, Protection: "TLS", Banner: "220 hi", Complete: true,
		Detected: "port 21", Midstream: true, TeardownKind: "4-packet", Software: "vsFTPd", Ended: "quit",
		BytesDown: 5, BytesUp: 0}
	s.Steps = []analyzer.Step{
		{N: 1, Frame: 1, Time: at(0), Conn: analyzer.RoleControl, From: client, To: server, FromClient: true,
			Kind: analyzer.KindHandshake, Phase: "handshake",
			Packets: []analyzer.Packet{{Time: at(0), From: client, To: server, Flags: "SYN"}, {Time: at(1), From: server, To: client, Flags: "SYN,ACK"}}},
		{N: 2, Frame: 4, Time: at(10), Conn: analyzer.RoleControl, From: client, To: server, FromClient: true, Kind: analyzer.KindCommand,
			Flags: "PSH,ACK", Command: "PORT", Verb: "port", Arg: "192,0,2,10,156,65", Address: dataTo, Cleartext: true, Truncated: true,
			AddressError: string(analyzer.ErrNoClosingDelim)},
		{N: 3, Frame: 5, Time: at(20), Conn: analyzer.RoleControl, From: server, To: client, Kind: analyzer.KindReply,
			Flags: "PSH,ACK", Code: 226, Text: "done", ReplyTo: "RETR", Unterminated: true, UnterminatedBy: analyzer.UnterminatedByGap,
			Encrypted: true, Transfer: 1, Abort: analyzer.AbortNothing},
		{N: 5, Frame: 7, Time: at(21), Conn: analyzer.RoleControl, From: client, To: server, FromClient: true, Kind: analyzer.KindTelnet,
			Flags: "PSH,ACK,URG", Telnet: "IP, DM", Urgent: true},
		{N: 6, Frame: 8, Time: at(22), Conn: analyzer.RoleControl, From: server, To: client, Kind: analyzer.KindNotFTP,
			Flags: "PSH,ACK", Text: "SSH-2.0-OpenSSH_9.2", Lines: 2},
		{N: 4, Frame: 6, Time: at(30), End: at(40), Conn: analyzer.RoleData, DataID: 1, From: dataFrom, To: dataTo,
			Kind: analyzer.KindData, Flags: "PSH,ACK", Bytes: 5, Segments: 1},
	}
	dc := &analyzer.DataConn{ID: 1, Client: dataFrom, Server: dataTo}
	s.DataConns = []*analyzer.DataConn{dc}
	s.Commands = []*analyzer.Command{{Time: at(10), Verb: "RETR", Arg: "a.txt", Step: 2, Prelim: 150, ReplyCode: 226,
		ReplyText: "done", ReplyTime: at(20)}}
	s.Transfers = []*analyzer.Transfer{{ID: 1, Command: "RETR", Arg: "a.txt", Path: "/a.txt", Mode: "active",
		Announce: "PORT 192,0,2,10,156,65", Direction: "download", Data: dc, Start: at(10), End: at(40), Status: 226,
		SHA256: strings.Repeat("ab", 32), Bytes: 5, Verdict: "partial", Rest: 2, Aborted: true, TypeA: true, Gaps: 1,
		Stored: "a.1", Listing: "x", Announced: 7, AnnouncedBy: "SIZE reply", SizeNote: "SIZE reply announced 5 bytes", Extracted: "s3-t1-a.txt.truncated",
		ExtractedBytes: 4, ExtractError: "disk full"}, // an extraction cut short has no sha256
		{ID: 2, Command: "LIST", Mode: "passive", Announce: "227 Entering Passive Mode (198,51,100,21,195,80)",
			Direction: "listing", Start: at(60), Status: 226, Complete: true, SHA256: strings.Repeat("cd", 32), Verdict: "complete", Announced: -1}}
	s.Credentials = []*analyzer.Credential{{Time: at(5), User: "anonymous", Password: "a@b", HasPass: true, Anonymous: true,
		Protected: true, Protection: "TLS", Outcome: "accepted", Cleartext: true, Step: 2}}
	s.Findings = []analyzer.Finding{{Severity: "critical", Kind: "cleartext-password", Detail: "d", Time: at(5), Step: 2, LastStep: 3, Count: 2}}
	s.FileOps = []*analyzer.FileOp{{Time: at(50), Op: "rename", Path: "a", Target: "b", Code: 250, OK: true, Step: 2}}
	return s
}

// TestRecordsCoverSchema writes fullSession and a live summary, checks
// every record against the schema (no field the schema lacks), and checks
// that every field the schema lists was written (none it keeps for
// nothing).
func TestRecordsCoverSchema(t *testing.T) {
	var out bytes.Buffer
	w := NewJSONWriter(&out, JSONOptions{File: true})
	if err := w.Session(fullSession()); err != nil {
		t.Fatal(err)
	}
	writeDiagnoseRecords(t, w)
	n := 3
	if err := w.Summary(SummaryRecord{Files: []string{}, Interface: "lo", Received: &n, DroppedByKernel: &n, DroppedByInterface: &n, NotSaved: &n}); err != nil {
		t.Fatal(err)
	}
	if _, err := schema.CheckLines(bytes.NewReader(out.Bytes())); err != nil {
		t.Fatalf("the records do not match the schema:\n%v", err)
	}

	written := map[string]bool{} // "type.field", "session.file_ops.field", "step.packets.field"
	for _, line := range bytes.Split(bytes.TrimSpace(out.Bytes()), []byte("\n")) {
		var r map[string]any
		if err := json.Unmarshal(line, &r); err != nil {
			t.Fatal(err)
		}
		typ := r["type"].(string)
		for k, v := range r {
			written[typ+"."+k] = true
			if list, ok := v.([]any); ok {
				for _, item := range list {
					if obj, ok := item.(map[string]any); ok {
						for kk := range obj {
							written[typ+"."+k+"."+kk] = true
						}
					}
				}
			}
		}
	}
	var missing []string
	for _, f := range schemaFields(t) {
		if !written[f] {
			missing = append(missing, f)
		}
	}
	if len(missing) > 0 {
		t.Errorf("the schema lists fields no record written from fullSession has: %s", strings.Join(missing, ", "))
	}
}

// schemaFields lists every field of every record type in the schema, as
// "type.field" (and "type.field.field" in arrays of objects).
func schemaFields(t *testing.T) []string {
	type object struct {
		Properties map[string]struct {
			Items *struct {
				Properties map[string]any `json:"properties"`
			} `json:"items"`
		} `json:"properties"`
	}
	var s struct {
		Defs map[string]object `json:"$defs"`
	}
	if err := json.Unmarshal(schema.JSON, &s); err != nil {
		t.Fatal(err)
	}
	var fields []string
	for _, typ := range RecordTypes() {
		def, ok := s.Defs[typ]
		if !ok {
			t.Fatalf("the schema has no record type %s", typ)
		}
		for k, p := range def.Properties {
			fields = append(fields, typ+"."+k)
			if p.Items != nil {
				for kk := range p.Items.Properties {
					fields = append(fields, typ+"."+k+"."+kk)
				}
			}
		}
	}
	sort.Strings(fields)
	return fields
}
