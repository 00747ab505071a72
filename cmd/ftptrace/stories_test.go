package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestStoriesOfThePublicCaptures: the sentences engineers found wrong when
// they read ftptrace's output on the public captures as FTP experts, each
// checked where it was seen (issue 15's follow-up). The same behaviours
// have fixtures of the project (analyzer/story_test.go); this pins the
// words on the captures themselves.
func TestStoriesOfThePublicCaptures(t *testing.T) {
	if _, err := os.Stat(sharedPcaps); err != nil {
		t.Skipf("skipping: the public captures are not at %s (%v)", sharedPcaps, err)
	}
	kaspersky := "sample-captures__KasperskyPackets.CAP"
	for _, tt := range []struct {
		name       string
		args       []string // before the captures
		captures   []string
		want, lose []string // sentences the output has, and has not
	}{
		{"ABOR after the 226", []string{"--brief"}, []string{kaspersky}, []string{
			"The client sends ABOR, but no transfer is in progress: transfer 1 (RETR) had already ended with its 226 reply. There is nothing left to abort.",
			"The server answers ABOR: 225, data connection open, no transfer in progress. There was nothing left to abort: transfer 1 (RETR) had ended with its 226 reply.",
			"The ABOR that follows finds no transfer in progress: transfer 1 (RETR) had already ended with its 226 reply.",
			// When the 426 came first, every byte SIZE announced had arrived.
			"The server answers RETR: 426, connection closed, transfer aborted. Every byte of the file had arrived before the abort: the transfer is complete all the same.",
		}, []string{
			"225, data connection open, no transfer in progress. The abort is done",
		}},
		{"verbs as sent", []string{"--brief"}, []string{kaspersky}, []string{
			"\n     cwd /updates50/index/  (PSH,ACK)\n", "\n     size master.xml  (PSH,ACK)\n", "\n     mdtm master.xml  (PSH,ACK)\n",
		}, []string{"\n     CWD /updates50/index/"}},
		{"EPRT without its closing delimiter", []string{"--brief"}, []string{"sample-captures__FTPv6-2.cap"}, []string{
			"But the argument is malformed: it lacks its closing delimiter (RFC 2428: <d>af<d>address<d>port<d>). The server refuses it (500).",
		}, []string{"cannot decode"}},
		{"a bare 220- and 214-", nil, []string{"sample-captures__FTPv6-1.cap"}, []string{
			"  banner: 6bone.informatik.uni-leipzig.de FTP server (NetBSD-ftpd 20041119) ready.\n",
			"220 6bone.informatik.uni-leipzig.de FTP server (NetBSD-ftpd 20041119) ready.  [+1 more line]",
			"214 (no text)\n     The server answers SITE: 214, help message. The capture ends before this multi-line reply's closing line.",
		}, []string{"banner: \n", "220   ["}},
		{"one capture in two files", nil, []string{"sample-captures__FTPv6-1.cap", "sample-captures__FTPv6-2.cap"}, []string{
			"The server answers SITE: 214, help message. The rest of this multi-line reply, its closing line at least, is in bytes the capture missed.",
			"200 NOOP command successful.  (PSH,ACK)\n     The server answers NOOP: 200, command okay.",
		}, []string{"The server answers : ", "answers NOOP: 214", "the reply names the command, a NOOP"}},
		{"passive mode on OS/400", nil, []string{"sample-captures__iseries.cap"}, []string{
			"Passive mode: the client opened the data connection itself, from its port 35976 to the server's port 16013, which the server announced (PASV); in the textbook's active mode the server opens it, from port 20.",
		}, []string{"turned around compared with"}},
		{"the capture ends inside a download", []string{"transfers"}, []string{"packets__ppa1e-ftp.pcap"}, []string{
			"unfinished", "1.1: SIZE reply announced 4980924 bytes; the capture ends after 5808 of them.",
		}, []string{"truncated"}},
		{"a capture trimmed before the data connection's end", []string{"transfers"}, []string{"ndpi__ftp.pcap"}, []string{
			"1.2: SIZE reply announced 1048576 bytes; the capture holds 109440 of them, not the data connection's end.",
		}, []string{"the data connection carried 109440"}},
		{"one TCP connection", []string{"summary"}, []string{"packets__ftpclientdenied.pcap"}, []string{
			"Capture: 3 packets, 186 bytes, 1 TCP connection\n",
		}, nil},
		{"SYNs nobody answers", nil, []string{"packets__ftpclientdenied.pcap"}, []string{
			"but no SYN,ACK comes back (SYN sent 3 times): nothing accepted the connection, no handshake took place.",
			"The control connection never opened: no SYN,ACK answered the client's SYN.",
		}, []string{"Three-way handshake: the client opens", "still open when the capture ended"}},
		{"the answer to a client that leaves without QUIT", []string{"--brief"}, []string{"sample-captures__FTPv6-2.cap"}, []string{
			"The server answers the client's FIN (the client closed the control connection without QUIT): 221, closing the control connection. The session is over: the server closes its side too.",
		}, []string{"without a command waiting for it"}},
		{"vsftpd's 500 OOPS", []string{"--brief"}, []string{"packet-capture-analysis__bruteForce.pcapng"}, []string{
			`The server answers the client's FIN with "500 OOPS: vsf_sysutil_recv_peek: no data": vsftpd's report that its process failed as the client left; the connection closes.`,
			`The server sends "500 OOPS: priv_sock_get_cmd": vsftpd's report that its process failed, not a reply to a command; the connection closes.`,
		}, []string{"500 (syntax error, command unrecognised) without a command"}},
		{"the greeting of a capture that starts after the handshake", []string{"--brief"}, []string{"r6-ctf-network__FTP.pcap"}, []string{
			"  banner: Microsoft FTP Service\n",
			"The server greets the client: the control connection is ready (220: service ready for a new user).",
		}, []string{"answers a command sent before the capture began: 220"}},
		{"vsftpd 2.3.4's backdoor", []string{"creds"}, []string{"cyber-security__ftp-traffic.pcapng"}, []string{
			`CRITICAL backdoor-trigger       USER "dani:)" ends in ":)", the trigger of the backdoor planted in vsftpd 2.3.4 (CVE-2011-2523), and the banner says vsFTPd 2.3.4`,
		}, nil},
		{"replies no RFC lists, commands never answered", []string{"--brief"}, []string{"zeek__fake-long-commands.pcap"}, []string{
			"The server answers RETR: 225, data connection open, no transfer in progress. No RFC lists 225 among the replies to RETR.",
			"The client sends a command ftptrace does not know (132 characters, shown above).",
		}, []string{`sends "132 characters`}},
		{"commands never answered", []string{"--brief"}, []string{"suricata-verify__bug-8489-03.pcap"}, []string{
			"2 commands got no reply in the capture: PWD (step 13), PWD (step 14).",
		}, nil},
		{"replies to commands the capture lost", []string{"--brief"}, []string{"zeek__cwd-navigation.pcap"}, []string{
			"250, file action okay, completed; the reply names the command, a CWD.",
			"150, file status okay, opening the data connection; the reply shows they were a command that uses a data connection (LIST, RETR, STOR...).",
		}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			args := tt.args
			for _, c := range tt.captures {
				args = append(args, filepath.Join(sharedPcaps, c))
			}
			out, stderr, code := runCLI(t, args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("the output lacks %q", w)
				}
			}
			for _, l := range tt.lose {
				if strings.Contains(out, l) {
					t.Errorf("the output still says %q", l)
				}
			}
		})
	}
}
