// Package craft builds hostile FTP captures: the crafted-traffic cases of
// docs/LIMITS.md. Each builder takes its size, so the tests build small
// versions in memory and tools/ftpcraft writes the full ones to disk.
package craft

import (
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/ftptrace/ftptrace/internal/synth"
)

var (
	client = netip.MustParseAddrPort("192.0.2.10:40000")
	server = netip.MustParseAddrPort("198.51.100.21:21")
)

// login opens a control connection and logs in; the session goes on from
// there.
func login(capt *synth.Capture) *synth.Conn {
	c := capt.Conn(client, server)
	c.Handshake()
	c.ServerSend("220 crafted\r\n")
	c.ClientSend("USER alice\r\n")
	c.ServerSend("331 Password please.\r\n")
	c.ClientSend("PASS secret\r\n")
	c.ServerSend("230 Logged in.\r\n")
	return c
}

// logout ends a session: QUIT, 221, and the server closes.
func logout(c *synth.Conn) {
	c.ClientSend("QUIT\r\n")
	c.ServerSend("221 Bye.\r\n")
	c.Close(synth.Server)
}

// sendChunks sends payload from side s in segments of at most 1448 bytes.
func sendChunks(c *synth.Conn, s synth.Side, payload string) {
	for len(payload) > 0 {
		n := min(len(payload), 1448)
		c.Send(s, payload[:n])
		payload = payload[n:]
	}
}

// LongLine: a reply line of n bytes that never ends with CRLF.
func LongLine(n int) *synth.Capture {
	capt := synth.New(synth.Options{})
	c := login(capt)
	c.ClientSend("SYST\r\n")
	sendChunks(c, synth.Server, "215 "+strings.Repeat("A", n-4))
	c.ClientAck()
	c.Close(synth.Client)
	return capt
}

// Commands: n NOOP commands, each answered 200.
func Commands(n int) *synth.Capture {
	capt := synth.New(synth.Options{Step: time.Microsecond})
	c := login(capt)
	for range n {
		c.ClientSend("NOOP\r\n")
		c.ServerSend("200 NOOP ok.\r\n")
	}
	logout(c)
	return capt
}

// HalfOpen: n connections to port 21 from distinct client ports (and
// addresses), each a SYN answered by SYN,ACK and never completed.
func HalfOpen(n int) *synth.Capture {
	capt := synth.New(synth.Options{Step: time.Microsecond})
	for i := range n {
		b := client.Addr().As4()
		b[2], b[3] = byte(i>>16), byte(i>>8)
		from := netip.AddrPortFrom(netip.AddrFrom4(b), uint16(1024+i%60000))
		c := capt.Conn(from, server)
		isn := c.NextSeq(synth.Client) - 1
		c.Emit(synth.Segment{From: synth.Client, Flags: synth.SYN, Seq: isn})
		c.Emit(synth.Segment{From: synth.Server, Flags: synth.SYN | synth.ACK, Seq: c.NextSeq(synth.Server) - 1, Ack: isn + 1})
	}
	return capt
}

// Bounce: PORT to the client's own privileged port 25 (no bounce: no third
// host), then PORT to a third host (a bounce); the server accepts both.
func Bounce() *synth.Capture {
	capt := synth.New(synth.Options{})
	c := login(capt)
	a := client.Addr().As4()
	c.ClientSend(fmt.Sprintf("PORT %d,%d,%d,%d,0,25\r\n", a[0], a[1], a[2], a[3]))
	c.ServerSend("200 PORT command successful.\r\n")
	c.ClientSend("RETR mail.txt\r\n")
	c.ServerSend("425 Can't open data connection.\r\n")
	c.ClientSend("PORT 203,0,113,99,31,144\r\n")
	c.ServerSend("200 PORT command successful.\r\n")
	c.ClientSend("STOR probe.txt\r\n")
	c.ServerSend("425 Can't open data connection.\r\n")
	logout(c)
	return capt
}

// Retransmissions: the client's USER command sent, then retransmitted at
// the same sequence number with other bytes, then overlapped by a segment
// that rewrites its end and carries the PASS command.
func Retransmissions() *synth.Capture {
	capt := synth.New(synth.Options{})
	c := capt.Conn(client, server)
	c.Handshake()
	c.ServerSend("220 crafted\r\n")
	c.ClientSend("USER alice\r\n")
	c.SendAt(synth.Client, 0, "USER mallo\r\n")      // same seq, conflicting bytes
	c.SendAt(synth.Client, 5, "bobby\r\nPASS x\r\n") // overlaps and conflicts, then new bytes
	c.ServerSend("331 Password please.\r\n")
	c.ServerSend("230 Logged in.\r\n")
	logout(c)
	return capt
}

// NeverClose: a passive RETR whose data connection carries n bytes and
// never closes: no FIN, no 226, the capture just ends.
func NeverClose(n int) *synth.Capture {
	capt := synth.New(synth.Options{Step: time.Microsecond})
	c := login(capt)
	c.ClientSend("PASV\r\n")
	c.ServerSend("227 Entering Passive Mode (198,51,100,21,195,80).\r\n")
	c.ClientSend("RETR endless.bin\r\n")
	d := capt.Conn(netip.AddrPortFrom(client.Addr(), 40001), netip.AddrPortFrom(server.Addr(), 195*256+80))
	d.Handshake()
	c.ServerSend("150 Opening BINARY mode data connection for endless.bin.\r\n")
	chunk := strings.Repeat("x", 1448)
	for sent := 0; sent < n; sent += len(chunk) {
		d.Send(synth.Server, chunk[:min(len(chunk), n-sent)])
		if sent%(16*1448) == 0 {
			d.Ack(synth.Client)
		}
	}
	return capt
}

// PassiveFlood: n control connections from distinct clients, each greeted,
// each asking PASV pasvs times and told a port by 227 each time (port, or
// when 0 a port of its own for each announcement), none ever used or
// closed: every session and every announced data connection stays open to
// the end.
func PassiveFlood(n, pasvs int, port uint16) *synth.Capture {
	capt := synth.New(synth.Options{Step: time.Microsecond})
	next := 1024
	for i := range n {
		b := client.Addr().As4()
		b[1], b[2], b[3] = byte(i>>16), byte(i>>8), byte(i)
		c := capt.Conn(netip.AddrPortFrom(netip.AddrFrom4(b), uint16(1024+i%60000)), server)
		c.Handshake()
		c.ServerSend("220 crafted\r\n")
		for range pasvs {
			p := int(port)
			if p == 0 {
				p, next = next, 1024+(next-1024+1)%60000
			}
			c.ClientSend("PASV\r\n")
			c.ServerSend(fmt.Sprintf("227 Entering Passive Mode (198,51,100,21,%d,%d).\r\n", p>>8, p&255))
		}
	}
	return capt
}

// Acks says what the receiver of a crafted data connection acknowledges.
type Acks int

// What a receiver acknowledges.
const (
	AckAll        Acks = iota // all it received: the capture claims the hole reached it
	AckBeforeHole             // the bytes before the hole only, and nothing after
	AckNone                   // nothing: the capture holds the sender's direction only
)

// SequenceJump: a passive RETR whose data connection carries before bytes,
// then, jump bytes further on the sequence space, after bytes, then
// closes: a hole of jump bytes that no byte of the capture fills. acks
// says what the client acknowledges; the 150 reply announces the file's
// size when announce is not negative.
func SequenceJump(before, jump, after int, acks Acks, announce int) *synth.Capture {
	capt := synth.New(synth.Options{})
	c := login(capt)
	c.ClientSend("TYPE I\r\n")
	c.ServerSend("200 Binary.\r\n")
	c.ClientSend("PASV\r\n")
	c.ServerSend("227 Entering Passive Mode (198,51,100,21,195,81).\r\n")
	c.ClientSend("RETR hole.bin\r\n")
	d := capt.Conn(netip.AddrPortFrom(client.Addr(), 40002), netip.AddrPortFrom(server.Addr(), 195*256+81))
	if acks == AckNone {
		d.Skip(synth.Client, 1) // the client's SYN, not captured
		d.Emit(synth.Segment{From: synth.Server, Flags: synth.SYN | synth.ACK, Seq: d.NextSeq(synth.Server) - 1, Ack: d.NextSeq(synth.Client)})
	} else {
		d.Handshake()
	}
	if announce >= 0 {
		c.ServerSend(fmt.Sprintf("150 Opening BINARY mode data connection for hole.bin (%d bytes).\r\n", announce))
	} else {
		c.ServerSend("150 Opening BINARY mode data connection for hole.bin.\r\n")
	}
	sendChunks(d, synth.Server, strings.Repeat("a", before))
	if acks != AckNone {
		d.Ack(synth.Client)
	}
	d.Skip(synth.Server, jump)
	sendChunks(d, synth.Server, strings.Repeat("b", after))
	if acks == AckAll {
		d.Close(synth.Server)
	} else {
		d.Fin(synth.Server)
	}
	c.ServerSend("226 Transfer complete.\r\n")
	logout(c)
	return capt
}

// Downloads: one session downloading a file of each size in passive
// mode, every one whole (the bytes of file i are the letter 'a'+i), with
// its size announced in the 150 reply.
func Downloads(sizes ...int) *synth.Capture {
	capt := synth.New(synth.Options{})
	c := login(capt)
	c.ClientSend("TYPE I\r\n")
	c.ServerSend("200 Binary.\r\n")
	for i, size := range sizes {
		port := 50100 + i
		c.ClientSend("PASV\r\n")
		c.ServerSend(fmt.Sprintf("227 Entering Passive Mode (198,51,100,21,%d,%d).\r\n", port>>8, port&255))
		name := fmt.Sprintf("file%d.bin", i+1)
		c.ClientSend("RETR " + name + "\r\n")
		d := capt.Conn(netip.AddrPortFrom(client.Addr(), uint16(41000+i)), netip.AddrPortFrom(server.Addr(), uint16(port)))
		d.Handshake()
		c.ServerSend(fmt.Sprintf("150 Opening BINARY mode data connection for %s (%d bytes).\r\n", name, size))
		sendChunks(d, synth.Server, strings.Repeat(string(rune('a'+i%26)), size))
		d.Close(synth.Server)
		c.ServerSend("226 Transfer complete.\r\n")
	}
	logout(c)
	return capt
}

// Case is one crafted capture, built at full size.
type Case struct {
	Name  string
	Build func() *synth.Capture
}

// Full lists the crafted cases at the sizes docs/LIMITS.md measures.
func Full(lineBytes, commands, conns, dataBytes, passive int) []Case {
	return []Case{
		{"longline", func() *synth.Capture { return LongLine(lineBytes) }},
		{"commands", func() *synth.Capture { return Commands(commands) }},
		{"halfopen", func() *synth.Capture { return HalfOpen(conns) }},
		{"bounce", Bounce},
		{"retransmissions", Retransmissions},
		{"neverclose", func() *synth.Capture { return NeverClose(dataBytes) }},
		{"pasvflood", func() *synth.Capture { return PassiveFlood(passive, 1, 0) }},
		{"seqjump", func() *synth.Capture { return SequenceJump(1000, 1<<31-1, 1000, AckAll, -1) }},
	}
}
