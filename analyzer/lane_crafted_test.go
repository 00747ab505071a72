package analyzer_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ftptrace/ftptrace/internal/synth"
)

// laneFile is the file every crafted case downloads: four segments of 1000
// bytes, no two alike, so a byte in the wrong place changes the hash.
var laneFile = func() string {
	var b strings.Builder
	for i := range 4000 {
		b.WriteByte(byte('!' + (i*7+i/251)%90))
	}
	return b.String()
}()

// part is the n-th 1000-byte segment of laneFile.
func part(n int) string { return laneFile[n*1000 : (n+1)*1000] }

// forged is laneFile with its bytes from..to replaced: what a conflicting
// retransmission carries.
func forged(from, to int) string {
	return laneFile[:from] + strings.Repeat("#", to-from) + laneFile[to:]
}

// dataSegment emits a segment from the server of data connection d at
// stream offset off with explicit flags (the client's side acknowledges
// nothing new).
func dataSegment(d *synth.Conn, base uint32, off int, flags synth.Flags, payload string) {
	d.Emit(synth.Segment{From: synth.Server, Flags: flags, Seq: base + uint32(off), Ack: d.NextSeq(synth.Client), Payload: []byte(payload)})
}

// retrCapture logs in, asks for a passive RETR of laneFile and lets send
// write the data connection (base is the sequence number of its first
// byte); the server then sends reply (226 or 426) and the session ends.
func retrCapture(reply string, send func(capt *synth.Capture, d *synth.Conn, base uint32)) *synth.Capture {
	capt := synth.New(synth.Options{})
	c := capt.Conn(netip.MustParseAddrPort("192.0.2.10:40000"), netip.MustParseAddrPort("198.51.100.21:21"))
	c.Handshake()
	c.ServerSend("220 lane\r\n")
	c.ClientSend("USER alice\r\n")
	c.ServerSend("331 Password please.\r\n")
	c.ClientSend("PASS secret\r\n")
	c.ServerSend("230 Logged in.\r\n")
	c.ClientSend("TYPE I\r\n")
	c.ServerSend("200 Binary.\r\n")
	c.ClientSend("PASV\r\n")
	c.ServerSend("227 Entering Passive Mode (198,51,100,21,195,80).\r\n")
	c.ClientSend("RETR lane.bin\r\n")
	d := capt.Conn(netip.MustParseAddrPort("192.0.2.10:40001"), netip.MustParseAddrPort("198.51.100.21:50000"))
	d.Handshake()
	c.ServerSend("150 Opening BINARY mode data connection for lane.bin.\r\n")
	send(capt, d, d.NextSeq(synth.Server))
	c.ServerSend(reply + "\r\n")
	c.ClientSend("QUIT\r\n")
	c.ServerSend("221 Bye.\r\n")
	c.Close(synth.Server)
	return capt
}

func sha(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// TestBulkLaneMatchesGopacketCrafted runs data connections that arrive out
// of order, retransmitted, with holes, early FINs and RSTs through both the
// bulk lane and gopacket's assembler: both must give the same sessions, and
// the transfer the bytes gopacket's rules give. Where copies conflict, the
// first copy of bytes already delivered counts, and the newest copy of bytes
// still waiting behind a hole (gopacket overwrites what it queued).
func TestBulkLaneMatchesGopacketCrafted(t *testing.T) {
	tests := []struct {
		name  string
		reply string // the server's last reply to RETR
		send  func(capt *synth.Capture, d *synth.Conn, base uint32)
		// What the transfer shows: the bytes delivered in order (holes
		// left out), how many were missing, and its verdict. Its SHA-256
		// is that of delivered when the verdict is "complete".
		delivered string
		missing   int64
		verdict   string
	}{
		{
			name:  "segments out of order",
			reply: "226 Transfer complete.",
			send: func(capt *synth.Capture, d *synth.Conn, base uint32) {
				d.SendAt(synth.Server, 0, part(0))
				d.SendAt(synth.Server, 2000, part(2))
				d.SendAt(synth.Server, 3000, part(3))
				d.SendAt(synth.Server, 1000, part(1))
				d.Close(synth.Server)
			},
			delivered: laneFile, verdict: "complete",
		},
		{
			name:  "retransmissions overlapping delivered bytes keep the first copy",
			reply: "226 Transfer complete.",
			send: func(capt *synth.Capture, d *synth.Conn, base uint32) {
				d.SendAt(synth.Server, 0, part(0))
				d.SendAt(synth.Server, 1000, part(1))
				d.SendAt(synth.Server, 0, part(0))                       // a duplicate
				d.SendAt(synth.Server, 500, forged(500, 2000)[500:2500]) // old bytes changed, then new ones
				d.SendAt(synth.Server, 2500, laneFile[2500:])
				d.Close(synth.Server)
			},
			delivered: laneFile, verdict: "complete",
		},
		{
			name:  "out-of-order copies overlapping, the later one ending beyond",
			reply: "226 Transfer complete.",
			send: func(capt *synth.Capture, d *synth.Conn, base uint32) {
				d.SendAt(synth.Server, 0, part(0))
				d.SendAt(synth.Server, 2000, part(2))
				d.SendAt(synth.Server, 2500, laneFile[2500:])
				d.SendAt(synth.Server, 1000, part(1))
				d.Close(synth.Server)
			},
			delivered: laneFile, verdict: "complete",
		},
		{
			name:  "out-of-order copies conflicting: the newer copy of queued bytes counts",
			reply: "226 Transfer complete.",
			send: func(capt *synth.Capture, d *synth.Conn, base uint32) {
				d.SendAt(synth.Server, 0, part(0))
				d.SendAt(synth.Server, 2000, part(2))
				d.SendAt(synth.Server, 2500, forged(2500, 3000)[2500:3500]) // rewrites the end of the queued segment
				d.SendAt(synth.Server, 1000, part(1))
				d.SendAt(synth.Server, 3500, laneFile[3500:])
				d.Close(synth.Server)
			},
			delivered: forged(2500, 3000), verdict: "complete",
		},
		{
			name:  "out-of-order copies conflicting at the same sequence number",
			reply: "226 Transfer complete.",
			send: func(capt *synth.Capture, d *synth.Conn, base uint32) {
				d.SendAt(synth.Server, 0, part(0))
				d.SendAt(synth.Server, 2000, part(2))
				d.SendAt(synth.Server, 2000, forged(2000, 3000)[2000:3000])
				d.SendAt(synth.Server, 1000, part(1))
				d.SendAt(synth.Server, 3000, part(3))
				d.Close(synth.Server)
			},
			delivered: forged(2000, 3000), verdict: "complete",
		},
		{
			name:  "out-of-order copy conflicting inside a queued segment",
			reply: "226 Transfer complete.",
			send: func(capt *synth.Capture, d *synth.Conn, base uint32) {
				d.SendAt(synth.Server, 0, part(0))
				d.SendAt(synth.Server, 2000, laneFile[2000:])
				d.SendAt(synth.Server, 2500, forged(2500, 3000)[2500:3000])
				d.SendAt(synth.Server, 1000, part(1))
				d.Close(synth.Server)
			},
			delivered: forged(2500, 3000), verdict: "complete",
		},
		{
			name:  "out-of-order copy conflicting with the start of a queued segment",
			reply: "226 Transfer complete.",
			send: func(capt *synth.Capture, d *synth.Conn, base uint32) {
				d.SendAt(synth.Server, 0, part(0))
				d.SendAt(synth.Server, 2000, part(2))
				d.SendAt(synth.Server, 1500, forged(1500, 2500)[1500:2500])
				d.SendAt(synth.Server, 1000, part(1)) // in order: its bytes count up to 2000
				d.SendAt(synth.Server, 3000, part(3))
				d.Close(synth.Server)
			},
			delivered: forged(2000, 2500), verdict: "complete",
		},
		{
			name:  "in-order segment conflicting with queued bytes",
			reply: "226 Transfer complete.",
			send: func(capt *synth.Capture, d *synth.Conn, base uint32) {
				d.SendAt(synth.Server, 0, part(0))
				d.SendAt(synth.Server, 2000, part(2))
				d.SendAt(synth.Server, 1000, forged(2000, 2500)[1000:2500])
				d.SendAt(synth.Server, 3000, part(3))
				d.Close(synth.Server)
			},
			delivered: forged(2000, 2500), verdict: "complete",
		},
		{
			name:  "duplicate of a queued segment",
			reply: "226 Transfer complete.",
			send: func(capt *synth.Capture, d *synth.Conn, base uint32) {
				d.SendAt(synth.Server, 0, part(0))
				d.SendAt(synth.Server, 2000, part(2))
				d.SendAt(synth.Server, 2000, part(2))
				d.SendAt(synth.Server, 1000, part(1))
				d.SendAt(synth.Server, 3000, part(3))
				d.Close(synth.Server)
			},
			delivered: laneFile, verdict: "complete",
		},
		{
			name:  "hole the receiver acknowledged, never filled",
			reply: "226 Transfer complete.",
			send: func(capt *synth.Capture, d *synth.Conn, base uint32) {
				d.SendAt(synth.Server, 0, part(0))
				d.SendAt(synth.Server, 2000, part(2))
				d.Ack(synth.Client) // acknowledges up to 3000: the hole reached the client
				d.SendAt(synth.Server, 3000, part(3))
				d.Close(synth.Server)
			},
			delivered: part(0) + part(2) + part(3), missing: 1000, verdict: "truncated",
		},
		{
			name:  "hole never acknowledged, given up when the capture ends",
			reply: "226 Transfer complete.",
			send: func(capt *synth.Capture, d *synth.Conn, base uint32) {
				d.SendAt(synth.Server, 0, part(0))
				d.SendAt(synth.Server, 2000, part(2))
				d.SendAt(synth.Server, 3000, part(3))
			},
			delivered: part(0) + part(2) + part(3), missing: 1000, verdict: "truncated",
		},
		{
			name:  "hole never acknowledged with the FIN behind it",
			reply: "226 Transfer complete.",
			send: func(capt *synth.Capture, d *synth.Conn, base uint32) {
				d.SendAt(synth.Server, 0, part(0))
				d.SendAt(synth.Server, 2000, part(2))
				d.SendAt(synth.Server, 3000, part(3))
				dataSegment(d, base, 4000, synth.FIN|synth.ACK, "")
			},
			delivered: part(0) + part(2) + part(3), missing: 1000, verdict: "truncated",
		},
		{
			name:  "hole given up after the hole timeout, filled too late",
			reply: "226 Transfer complete.",
			send: func(capt *synth.Capture, d *synth.Conn, base uint32) {
				d.SendAt(synth.Server, 0, part(0))
				d.SendAt(synth.Server, 2000, part(2))
				capt.Advance(3 * time.Second)
				// A duplicate ACK for the hole moves capture time on.
				d.Emit(synth.Segment{From: synth.Client, Flags: synth.ACK, Seq: d.NextSeq(synth.Client), Ack: base + 1000})
				d.SendAt(synth.Server, 1000, part(1)) // too late: the hole was given up
				d.SendAt(synth.Server, 3000, part(3))
				d.Close(synth.Server)
			},
			delivered: part(0) + part(2) + part(3), missing: 1000, verdict: "truncated",
		},
		{
			name:  "FIN before the last data segment",
			reply: "226 Transfer complete.",
			send: func(capt *synth.Capture, d *synth.Conn, base uint32) {
				d.SendAt(synth.Server, 0, part(0))
				d.SendAt(synth.Server, 1000, part(1))
				d.SendAt(synth.Server, 2000, part(2))
				dataSegment(d, base, 4000, synth.FIN|synth.ACK, "")
				d.SendAt(synth.Server, 3000, part(3))
				d.Fin(synth.Client)
				d.Ack(synth.Server)
			},
			delivered: laneFile, verdict: "complete",
		},
		{
			name:  "FIN carrying the last bytes before the segment in front of it",
			reply: "226 Transfer complete.",
			send: func(capt *synth.Capture, d *synth.Conn, base uint32) {
				d.SendAt(synth.Server, 0, part(0))
				d.SendAt(synth.Server, 1000, part(1))
				dataSegment(d, base, 3000, synth.FIN|synth.PSH|synth.ACK, part(3))
				d.SendAt(synth.Server, 2000, part(2))
				d.Fin(synth.Client)
				d.Ack(synth.Server)
			},
			delivered: laneFile, verdict: "complete",
		},
		{
			name:  "RST after the data",
			reply: "226 Transfer complete.",
			send: func(capt *synth.Capture, d *synth.Conn, base uint32) {
				for n := range 4 {
					d.SendAt(synth.Server, n*1000, part(n))
				}
				d.Rst(synth.Server)
			},
			delivered: laneFile, verdict: "complete",
		},
		{
			name:  "RST at the hole while data waits behind it",
			reply: "426 Connection closed; transfer aborted.",
			send: func(capt *synth.Capture, d *synth.Conn, base uint32) {
				d.SendAt(synth.Server, 0, part(0))
				d.SendAt(synth.Server, 2000, part(2))
				dataSegment(d, base, 1000, synth.RST|synth.ACK, "")
			},
			delivered: part(0), verdict: "aborted",
		},
		{
			name:  "RST ahead of the stream is not the end",
			reply: "226 Transfer complete.",
			send: func(capt *synth.Capture, d *synth.Conn, base uint32) {
				d.SendAt(synth.Server, 0, part(0))
				dataSegment(d, base, 3000, synth.RST|synth.ACK, "") // out of window: dropped (RFC 5961)
				for n := 1; n < 4; n++ {
					d.SendAt(synth.Server, n*1000, part(n))
				}
				d.Close(synth.Server)
			},
			delivered: laneFile, verdict: "complete",
		},
		{
			name:  "client resets the data connection, the server's next segment still in flight",
			reply: "426 Connection closed; transfer aborted.",
			send: func(capt *synth.Capture, d *synth.Conn, base uint32) {
				d.SendAt(synth.Server, 0, part(0))
				d.SendAt(synth.Server, 1000, part(1))
				d.Rst(synth.Client)
				d.SendAt(synth.Server, 2000, part(2))
			},
			// The RST ends the connection both ways (issue 21): the
			// server's segment in flight reaches a connection the
			// client discarded, data after the close.
			delivered: laneFile[:2000], verdict: "aborted",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "lane.pcap")
			if err := retrCapture(tt.reply, tt.send).WriteFile(path); err != nil {
				t.Fatal(err)
			}
			lane := analyse(t, path, true)
			compareAnalyses(t, lane, analyse(t, path, false))
			if len(lane.sessions) != 1 || len(lane.sessions[0].Transfers) != 1 {
				t.Fatalf("want one session with one transfer, got:\n%s", strings.Join(lane.lines, "\n"))
			}
			tr := lane.sessions[0].Transfers[0]
			if tr.Data == nil {
				t.Fatal("the transfer has no data connection")
			}
			wantSHA := ""
			if tt.verdict == "complete" {
				wantSHA = sha(tt.delivered)
			}
			got := fmt.Sprintf("bytes %d missing %d verdict %s sha256 %q", tr.Bytes, tr.Gaps, tr.Verdict, tr.SHA256)
			// Bytes counts what crossed the wire: the missing bytes too.
			want := fmt.Sprintf("bytes %d missing %d verdict %s sha256 %q", int64(len(tt.delivered))+tt.missing, tt.missing, tt.verdict, wantSHA)
			if got != want {
				t.Errorf("transfer:\n got  %s\n want %s", got, want)
			}
			both := lane.delivered[tr.Data]
			if both == nil {
				t.Fatal("the data connection delivered nothing")
			}
			d := both[tr.Data.FileDirection(tr)]
			if gotSum := hex.EncodeToString(d.sum.Sum(nil)); gotSum != sha(tt.delivered) {
				t.Errorf("delivered %d bytes (gaps [%s]) with sha256 %s, want %d bytes with sha256 %s", d.bytes, strings.Join(d.gaps, " "), gotSum, len(tt.delivered), sha(tt.delivered))
			}
		})
	}
}

// TestBulkLaneWatchesFTPFoundByContent: a control connection off the FTP
// ports starts in the bulk lane (most such connections are other protocols)
// and is found to be FTP by its content. Its retransmitted bytes must still
// be compared with the copy delivered: the conflicting USER below is
// reported, as it is for the same connection followed by gopacket.
func TestBulkLaneWatchesFTPFoundByContent(t *testing.T) {
	capt := synth.New(synth.Options{})
	c := capt.Conn(netip.MustParseAddrPort("192.0.2.10:40000"), netip.MustParseAddrPort("198.51.100.21:2121"))
	c.Handshake()
	c.ServerSend("220 crafted\r\n")
	c.ClientSend("USER alice\r\n")
	c.SendAt(synth.Client, 0, "USER mallo\r\n") // same seq, conflicting bytes
	c.ServerSend("331 Password please.\r\n")
	c.ClientSend("PASS secret\r\n")
	c.ServerSend("230 Logged in.\r\n")
	c.ClientSend("QUIT\r\n")
	c.ServerSend("221 Bye.\r\n")
	c.Close(synth.Server)
	path := filepath.Join(t.TempDir(), "content.pcap")
	if err := capt.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	lane := analyse(t, path, true)
	compareAnalyses(t, lane, analyse(t, path, false))
	if len(lane.sessions) != 1 {
		t.Fatalf("%d sessions, want the one found by content:\n%s", len(lane.sessions), strings.Join(lane.lines, "\n"))
	}
	s := lane.sessions[0]
	if s.User != "alice" {
		t.Errorf("user %q, want alice (the first copy counts)", s.User)
	}
	found := false
	for _, f := range s.Findings {
		found = found || f.Kind == "retransmission-conflict"
	}
	if !found {
		t.Errorf("no retransmission-conflict finding: %v", s.Findings)
	}
}
