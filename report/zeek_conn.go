package report

import (
	"net/netip"
	"strings"
	"time"

	"github.com/ftptrace/ftptrace/analyzer"
)

// conn.log as Zeek 6 and 7 write it; the fields ftptrace cannot know from
// what it follows (local_orig and local_resp need Zeek's Site::local_nets,
// the packet and IP byte counts need every packet) are left unset.
var zeekConnFields = []zeekField{{"ts", "time"}, {"uid", "string"}, {"id.orig_h", "addr"}, {"id.orig_p", "port"},
	{"id.resp_h", "addr"}, {"id.resp_p", "port"}, {"proto", "enum"}, {"service", "string"}, {"duration", "interval"},
	{"orig_bytes", "count"}, {"resp_bytes", "count"}, {"conn_state", "string"}, {"local_orig", "bool"},
	{"local_resp", "bool"}, {"missed_bytes", "count"}, {"history", "string"}, {"orig_pkts", "count"},
	{"orig_ip_bytes", "count"}, {"resp_pkts", "count"}, {"resp_ip_bytes", "count"}, {"tunnel_parents", "set[string]"}}

// files.log as Zeek 6 and 7 write it (the file's connection as uid and id).
var zeekFilesFields = []zeekField{{"ts", "time"}, {"fuid", "string"}, {"uid", "string"}, {"id.orig_h", "addr"},
	{"id.orig_p", "port"}, {"id.resp_h", "addr"}, {"id.resp_p", "port"}, {"source", "string"}, {"depth", "count"},
	{"analyzers", "set[string]"}, {"mime_type", "string"}, {"filename", "string"}, {"duration", "interval"},
	{"local_orig", "bool"}, {"is_orig", "bool"}, {"seen_bytes", "count"}, {"total_bytes", "count"},
	{"missing_bytes", "count"}, {"overflow_bytes", "count"}, {"timedout", "bool"}, {"parent_fuid", "string"},
	{"md5", "string"}, {"sha1", "string"}, {"sha256", "string"}, {"extracted", "string"},
	{"extracted_cutoff", "bool"}, {"extracted_size", "count"}}

// connRecords writes the control connection and each data connection,
// from one pass over the session's steps (a data connection without its
// control connection, Session.Orphan, has no control connection to write).
func (z *ZeekWriter) connRecords(s *analyzer.Session) {
	ctl, data := connFacts(s)
	service := "ftp"
	if s.TLS {
		service = "ftp,ssl" // AUTH TLS: Zeek's SSL analyzer takes over the connection
	}
	if s.Orphan == "" {
		z.conn.write(connRecord(s.UID, s.Client, s.Server, service, s.Start, ctl.end(), s.ControlBytes, ctl))
	}
	for _, dc := range s.DataConns {
		f := data[dc.ID]
		if f == nil {
			f = newConn(dc.Client)
		}
		z.conn.write(connRecord(dataConnUID(dc), dc.Client, dc.Server, "ftp-data", dc.Start, f.end(), dc.Bytes, f))
	}
}

// connRecord is a conn.log record. Zeek counts a side's bytes by its
// sequence numbers: the bytes the capture missed are in them too.
func connRecord(uid string, orig, resp netip.AddrPort, service string, start, end time.Time, seen [2]int64, f *conn) []zeekValue {
	row := append([]zeekValue{zTime(start), zStr(uid)}, connID(orig, resp)...)
	row = append(row, zStr("tcp"), zStr(service), zInterval(durationBetween(start, end)),
		zCount(seen[0]+f.missed[0]), zCount(seen[1]+f.missed[1]), zStr(f.state()), zeekValue{}, zeekValue{}, zCount(f.missed[0]+f.missed[1]), zStr(f.history.String()))
	return append(row, make([]zeekValue, 5)...) // packet counts, tunnel_parents
}

// conn is what the steps of one connection tell of its TCP life.
type conn struct {
	syn, synAck bool
	fin, rst    [2]bool // by the originator [0], the responder [1]
	history     strings.Builder
	historySeen map[byte]bool
	missed      [2]int64 // bytes the capture lacks, by side
	last        time.Time
	closed      time.Time // the second FIN, or the first reset
	orig        netip.AddrPort
}

func newConn(orig netip.AddrPort) *conn { return &conn{orig: orig, historySeen: map[byte]bool{}} }

// connFacts reads what the steps tell of the control connection and of
// each data connection (by its number).
func connFacts(s *analyzer.Session) (ctl *conn, data map[int]*conn) {
	ctl, data = newConn(s.Client), map[int]*conn{}
	origin := map[int]netip.AddrPort{}
	for _, dc := range s.DataConns {
		origin[dc.ID] = dc.Client
	}
	for i := range s.Steps {
		st := &s.Steps[i]
		f := ctl
		if st.Conn == analyzer.RoleData {
			if f = data[st.DataID]; f == nil {
				f = newConn(origin[st.DataID])
				data[st.DataID] = f
			}
		}
		f.step(st)
	}
	return ctl, data
}

// step adds a step's packets to the facts and to Zeek's history, where
// each letter says what one side did first (upper case: the originator):
// S a SYN, H a SYN-ACK, A a pure ACK, D data, F a FIN, R a reset, G a gap.
func (f *conn) step(st *analyzer.Step) {
	for _, t := range []time.Time{st.Time, st.End} {
		if t.After(f.last) {
			f.last = t
		}
	}
	fromOrig := st.From == f.orig
	switch st.Kind {
	case analyzer.KindHandshake:
		for _, p := range st.Packets {
			o := p.From == f.orig
			switch p.Flags {
			case "SYN":
				f.syn = f.syn || o
				f.mark('S', o)
			case "SYN,ACK":
				f.synAck = f.synAck || !o
				f.mark('H', o)
			case "RST", "RST,ACK":
				f.rst[btoi(!o)] = true
				f.mark('R', o)
			default:
				f.mark('A', o)
			}
			if p.Time.After(f.last) {
				f.last = p.Time
			}
		}
		if len(st.Packets) == 0 && st.Flags == "SYN" {
			f.syn = true
			f.mark('S', fromOrig)
		}
	case analyzer.KindACK:
		f.mark('A', fromOrig)
	case analyzer.KindCommand, analyzer.KindReply, analyzer.KindData:
		f.mark('D', fromOrig)
		if st.ACKs > 0 {
			f.mark('A', !fromOrig)
		}
	case analyzer.KindFIN:
		f.fin[btoi(!fromOrig)] = true
		f.mark('F', fromOrig)
		if f.fin[0] && f.fin[1] {
			f.close(st.Time)
		}
	case analyzer.KindRST:
		f.rst[btoi(!fromOrig)] = true
		f.mark('R', fromOrig)
		f.close(st.Time)
	case analyzer.KindGap:
		f.mark('G', fromOrig)
		f.missed[btoi(!fromOrig)] += st.Bytes
	}
}

func (f *conn) close(at time.Time) {
	if f.closed.IsZero() {
		f.closed = at
	}
}

// end is when the connection ended for Zeek: when it was closed (the
// ACK of the last FIN comes after, and Zeek's duration leaves it out), or
// its last packet.
func (f *conn) end() time.Time {
	if !f.closed.IsZero() {
		return f.closed
	}
	return f.last
}

func (f *conn) mark(letter byte, fromOrig bool) {
	if !fromOrig {
		letter |= 0x20 // lower case: the responder
	}
	if !f.historySeen[letter] {
		f.historySeen[letter] = true
		f.history.WriteByte(letter)
	}
}

// state is Zeek's conn_state, from the handshake, FINs and resets seen.
func (f *conn) state() string {
	switch {
	case !f.syn && !f.synAck:
		return "OTH"
	case f.syn && !f.synAck:
		switch {
		case f.rst[0]:
			return "RSTOS0"
		case f.rst[1]:
			return "REJ"
		case f.fin[0]:
			return "SH"
		}
		return "S0"
	case !f.syn:
		switch {
		case f.rst[1]:
			return "RSTRH"
		case f.fin[1]:
			return "SHR"
		}
		return "OTH"
	case f.rst[0]:
		return "RSTO"
	case f.rst[1]:
		return "RSTR"
	case f.fin[0] && f.fin[1]:
		return "SF"
	case f.fin[0]:
		return "S2"
	case f.fin[1]:
		return "S3"
	}
	return "S1"
}

// fileRecords writes one files.log record per transfer whose data
// connection carried bytes, listings included, as Zeek's FTP_DATA
// analysis does.
func (z *ZeekWriter) fileRecords(s *analyzer.Session) {
	for _, t := range s.Transfers {
		dc := t.Data
		if dc == nil || t.Bytes == 0 {
			continue
		}
		isOrig := dc.FileDirection(t) == 0
		analyzers, sha := zStrings(), zeekValue{}
		if t.SHA256 != "" {
			analyzers, sha = zStrings("SHA256"), zStr(t.SHA256)
		}
		row := []zeekValue{zTime(dc.FirstData), zeekFUID(t), zStr(dataConnUID(dc))}
		row = append(row, connID(dc.Client, dc.Server)...)
		var unset zeekValue
		row = append(row, zStr("FTP_DATA"), zCount(0), analyzers, zOptStr(dc.MIME), unset,
			zInterval(durationBetween(dc.FirstData, dc.LastData)), unset, zBoolean(isOrig), zCount(t.Bytes-t.Gaps), unset,
			zCount(t.Gaps), zCount(0), zBoolean(false), unset, unset, unset, sha, zOptStr(t.Extracted), unset, unset)
		z.files.write(row)
	}
}
