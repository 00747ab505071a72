package analyzer

import (
	"bytes"
	"encoding/binary"
	"math/bits"
	"regexp"
	"strings"

	"github.com/ftptrace/ftptrace/reassembly"
)

// A data connection whose control connection is not in the capture (the
// capture filtered port 21 out, or began after the PORT or PASV) is still a
// file crossing the network. ftptrace takes a connection that nothing
// announced for such an orphan data connection when its shape and content
// say so, never for its port alone, so that other traffic does not turn
// into transfers:
//
//   - only one side sends bytes (a data connection in stream mode carries
//     one file one way, RFC 959 section 3.4.1), and
//   - it comes from port 20, the textbook active-mode data port (any
//     content), or its first bytes are those of a file (a signature of the
//     table magics, mime.go: gzip, ZIP, PE, ELF, PDF, PNG, ...) or of a directory
//     listing (every line in the format of `ls -l`, of a DOS `dir`, or of
//     MLSD facts).
//
// Plain text or data of no known kind between two ephemeral ports is not
// enough: it could be anything. The orphan becomes a session of its own
// without control connection (Session.Orphan), with one transfer of unknown
// command whose bytes, direction, SHA-256 and extraction are those of any
// transfer; Session.Detected says what made the call. The side that sends
// from port 20, or else the side that accepted the connection (passive
// mode), is taken for the FTP server.

// orphanLook is what makes a connection look like a data connection: what
// it is ("gzip data"), or that it comes from port 20.
type orphanLook struct {
	what            string
	listing, port20 bool
}

// reasons says what made the call: in words, after "recognised by"
// (Session.Detected), and as Session.Orphan: what the connection carried
// ("gzip data"), or "port 20".
func (o *orphanLook) reasons() (recognisedBy, orphan string) {
	switch {
	case o.port20:
		return "its port 20, the textbook FTP data port, and data sent one way", "port 20"
	case o.listing:
		return "its content: a directory listing, sent one way", o.what
	}
	return "its content: " + o.what + " from the first byte, sent one way", o.what
}

// listingLine matches a line of a directory listing: `ls -l` (and its
// "total" line), DOS `dir`, MLSD facts.
var listingLine = regexp.MustCompile(`^(?:[-dlcbpsD][-rwxsStTlL]{9}[.+@]?\s+\d+\s.*|total \d+|\d\d-\d\d-\d\d(?:\d\d)?\s+\d\d:\d\d(?:AM|PM)\s+(?:<DIR>|\d+)\s+.+|(?:[A-Za-z][A-Za-z.-]*=[^;]*;)+ .+)$`)

// orphaned tells whether a connection nothing announced is taken for a
// data connection of its own: one way so far, and looking like one.
func (d *detector) orphaned() bool {
	return d.orphan != nil && bits.OnesCount8(d.sentBy) == 1
}

// looksLikeData tells what makes a connection look like a data connection,
// from its first payload, or nil.
func looksLikeData(c *reassembly.Conn, e *reassembly.Event) *orphanLook {
	if c.Client.Port() == 20 || c.Server.Port() == 20 {
		return &orphanLook{what: "port 20", port20: true}
	}
	p := e.Payload
	if m := magicOf(p); m != nil && m.what != "" {
		return &orphanLook{what: m.what}
	}
	if isPE(p) {
		return &orphanLook{what: "a Windows executable (PE)"}
	}
	if isListing(p) {
		return &orphanLook{what: "a directory listing", listing: true}
	}
	return nil
}

// isPE tells the start of a Windows executable: "MZ", and where the DOS
// header says, the "PE" signature (or the DOS stub's sentence, when the
// segment ends first).
func isPE(p []byte) bool {
	if len(p) < 64 || p[0] != 'M' || p[1] != 'Z' {
		return false
	}
	if at := int(binary.LittleEndian.Uint32(p[60:64])); at >= 64 && at+4 <= len(p) {
		return string(p[at:at+4]) == "PE\x00\x00"
	}
	return bytes.Contains(p[:min(len(p), 512)], []byte("This program cannot be run in DOS mode"))
}

// isListing tells whether every complete line of a payload is a line of a
// directory listing (one at least).
func isListing(p []byte) bool {
	text := string(p)
	end := strings.LastIndexByte(text, '\n')
	if end < 0 {
		return false
	}
	for _, l := range strings.Split(text[:end], "\n") {
		if !listingLine.MatchString(strings.TrimSuffix(l, "\r")) {
			return false
		}
	}
	return true
}

// becomeOrphan makes a held connection a data connection of a session of
// its own, without control connection, and replays what it held.
func (a *Analyzer) becomeOrphan(cs *connState) {
	d := cs.detect
	c := cs.conn
	mode := "passive" // the side that accepted the connection serves
	client, server := c.Client, c.Server
	if c.Client.Port() == 20 {
		mode, client, server = "active", c.Server, c.Client
	}
	a.makeRoom()
	a.nextID++
	s := &Session{ID: a.nextID, File: a.file, Client: client, Server: server, Login: "none", Midstream: c.Midstream}
	a.adopt(s)
	s.Detected, s.Orphan = d.orphan.reasons()
	s.ctl = &control{track: newConnTrack(s, RoleControl, &reassembly.Conn{Client: client, Server: server})}
	a.sessions.add(s)
	// The sender is the FTP server (a download) or the client (an upload).
	fromServer := (d.first == reassembly.ServerToClient) == (mode == "passive")
	t := &Transfer{ID: 1, Mode: "unknown", Direction: "upload", Announced: -1, orphan: true}
	switch {
	case d.orphan.listing:
		t.Direction = "listing"
	case fromServer:
		t.Direction = "download"
	}
	if len(d.events) > 0 {
		t.Start = d.events[0].Time
		s.Start, s.UID = t.Start, ConnUID(client, server, t.Start)
	}
	s.Transfers = append(s.Transfers, t)
	e := &Expectation{Mode: mode, Addr: c.Server, Time: t.Start, Transfer: t, sess: s}
	a.newDataConn(cs, s, e)
	for i := range d.events {
		a.dataEvent(cs, &d.events[i])
	}
	cs.detect = nil
}

// endOrphan schedules an orphan session to be finished once its data
// connection ended, as a control connection's end does for a session.
func (a *Analyzer) endOrphan(s *Session, dc *DataConn) {
	if s.ctlClosed {
		return
	}
	s.ctlClosed = true
	s.Start = dc.Start
	if dc.End.After(s.End) {
		s.End = dc.End
	}
	if dc.Closed != "" {
		s.Ended = dc.Closed
	}
	a.finishLater(s)
}
