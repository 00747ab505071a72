package scenarios

import (
	"net/netip"
	"strings"
	"time"

	"github.com/ftptrace/ftptrace/internal/synth"
)

// Timing used by the helpers: a user typing, a server answering, and a
// delayed acknowledgement.
const (
	typing   = 1500 * time.Millisecond
	think    = 300 * time.Microsecond
	delack   = 40 * time.Millisecond
	mss      = 1460
	ftpPort  = 21
	dataPort = 20
)

// ap parses an address:port literal.
func ap(s string) netip.AddrPort { return netip.MustParseAddrPort(s) }

// ftp drives one FTP control connection with plausible timing.
type ftp struct {
	capt *synth.Capture
	ctl  *synth.Conn
}

// open starts a control connection with a handshake and the server greeting.
func open(capt *synth.Capture, client, server netip.AddrPort, banner string) *ftp {
	f := &ftp{capt: capt, ctl: capt.Conn(client, server)}
	f.ctl.Handshake()
	f.reply(banner)
	f.ack()
	return f
}

// cmd sends one command line after the user has typed it.
func (f *ftp) cmd(line string) {
	f.capt.Advance(typing)
	f.ctl.ClientSend(line + "\r\n")
}

// reply sends a server reply; lines are joined with CRLF.
func (f *ftp) reply(lines ...string) {
	f.capt.Advance(think)
	f.ctl.ServerSend(strings.Join(lines, "\r\n") + "\r\n")
}

// ack sends the client's delayed acknowledgement.
func (f *ftp) ack() {
	f.capt.Advance(delack)
	f.ctl.ClientAck()
}

// do sends a command, its reply and the client's acknowledgement.
func (f *ftp) do(line string, reply ...string) {
	f.cmd(line)
	f.reply(reply...)
	f.ack()
}

// login runs USER and PASS.
func (f *ftp) login(user, pass string) {
	f.do("USER "+user, "331 Please specify the password.")
	f.do("PASS "+pass, "230 Login successful.")
}

// quit sends QUIT, the 221 reply and a 4-packet teardown by the server.
func (f *ftp) quit() {
	f.cmd("QUIT")
	f.reply("221 Goodbye.")
	f.ctl.Close(synth.Server)
}

// dial opens a data connection; client sends the SYN.
func (f *ftp) dial(client, server netip.AddrPort) *synth.Conn {
	f.capt.Advance(think)
	d := f.capt.Conn(client, server)
	d.Handshake()
	return d
}

// push sends content from side s in MSS-sized segments; the peer
// acknowledges every second segment and the last one.
func push(capt *synth.Capture, d *synth.Conn, s synth.Side, content string) {
	for i, n := 0, 0; i < len(content); n++ {
		j := min(i+mss, len(content))
		capt.Advance(100 * time.Microsecond)
		d.Send(s, content[i:j])
		i = j
		if n%2 == 1 || i == len(content) {
			d.Ack(s.Peer())
		}
	}
}

// transfer sends content over the open data connection d, whose FTP-server
// end is srv (the caller has sent the command and the 150 reply), then a
// 4-packet teardown started by the sender and the 226 reply.
func (f *ftp) transfer(d *synth.Conn, srv synth.Side, content string, upload bool) {
	from := srv
	if upload {
		from = srv.Peer()
	}
	push(f.capt, d, from, content)
	f.capt.Advance(think)
	d.Close(from)
	f.reply("226 Transfer complete.")
	f.ack()
}

// passive runs setup (PASV, EPSV, LPSV), its reply, a client connection
// to the server's real address on dataPort, and command over it.
func (f *ftp) passive(setup, reply string, client, server netip.AddrPort, command, content string, upload bool) {
	f.do(setup, reply)
	d := f.dial(client, server)
	f.cmd(command)
	f.reply("150 Opening BINARY mode data connection.")
	f.transfer(d, synth.Server, content, upload)
}

// active runs setup (PORT, EPRT, LPRT), its 200 reply and command; the
// server connects from src to dst either before (synFirst) or after its 150
// reply.
func (f *ftp) active(setup string, src, dst netip.AddrPort, command, content string, synFirst bool) {
	f.do(setup, "200 Command okay.")
	f.cmd(command)
	var d *synth.Conn
	if synFirst {
		d = f.dial(src, dst)
	}
	f.reply("150 Opening BINARY mode data connection.")
	if !synFirst {
		d = f.dial(src, dst)
	}
	f.transfer(d, synth.Client, content, false)
}

// listing is a short ls -l style directory listing.
const listing = "drwxr-xr-x    2 500      500          4096 Nov 05 09:12 Desktop\r\n" +
	"-rw-r--r--    1 500      500          1213 Nov 04 17:30 notes.txt\r\n" +
	"-rw-r--r--    1 500      500         34816 Oct 28 11:02 report.doc\r\n" +
	"drwxr-xr-x    3 500      500          4096 Oct 30 08:45 src\r\n"

// text returns n bytes of printable, line-structured file content.
func text(n int) string {
	var b strings.Builder
	for i := 0; b.Len() < n; i++ {
		b.WriteString("line ")
		b.WriteString(strings.Repeat(string(rune('a'+i%26)), 58))
		b.WriteString("\r\n")
	}
	return b.String()[:n]
}
