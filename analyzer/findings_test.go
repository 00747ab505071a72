package analyzer_test

import (
	"bytes"
	"net/netip"
	"strings"
	"testing"

	"github.com/ftptrace/ftptrace/analyzer"
	"github.com/ftptrace/ftptrace/internal/synth"
	"github.com/ftptrace/ftptrace/reassembly"
)

var (
	cliIP = netip.MustParseAddr("192.0.2.10")
	srvIP = netip.MustParseAddr("198.51.100.21")
)

// script is one control connection: lines starting "C " are sent by the
// client, "S " by the server; "DATA ip:port" opens a data connection from
// ip to the server's port and sends a few bytes.
func scriptCapture(t *testing.T, sessions ...[]string) []*analyzer.Session {
	t.Helper()
	c := synth.New(synth.Options{})
	for i, lines := range sessions {
		ctl := c.Conn(netip.AddrPortFrom(cliIP, uint16(40000+i)), netip.AddrPortFrom(srvIP, 21))
		ctl.Handshake()
		for _, l := range lines {
			switch {
			case strings.HasPrefix(l, "C "):
				ctl.ClientSend(l[2:] + "\r\n")
			case strings.HasPrefix(l, "S "):
				ctl.ServerSend(strings.ReplaceAll(l[2:], "|", "\r\n") + "\r\n")
			case strings.HasPrefix(l, "DATA "):
				f := strings.Fields(l)
				dc := c.Conn(netip.MustParseAddrPort(f[1]), netip.MustParseAddrPort(f[2]))
				dc.Handshake()
				dc.Send(synth.Server, "some file bytes\n")
				dc.Close(synth.Server)
			}
		}
		ctl.Close(synth.Client)
		c.Advance(1e9)
	}
	var buf bytes.Buffer
	if err := c.WriteTo(&buf, synth.PCAP); err != nil {
		t.Fatal(err)
	}
	src, err := reassembly.NewReader(&buf, "script")
	if err != nil {
		t.Fatal(err)
	}
	got, _, err := analyzer.Run(src, analyzer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func kinds(sessions []*analyzer.Session) string {
	var out []string
	for _, s := range sessions {
		for _, f := range s.Findings {
			out = append(out, f.Severity+":"+f.Kind)
		}
	}
	return strings.Join(out, " ")
}

var login = []string{"S 220 ready", "C USER bob", "S 331 password?", "C PASS secret", "S 230 ok"}

// TestFindingRules runs each audit rule on a session that should trigger it
// and checks that nothing else fires.
func TestFindingRules(t *testing.T) {
	tests := []struct {
		name     string
		sessions [][]string
		want     string
	}{
		{"clear-text password", [][]string{login}, "critical:cleartext-password"},
		{"clear text although the server offers TLS", [][]string{{"S 220 ready", "C FEAT", "S 211-Features:| AUTH TLS| PBSZ|211 End",
			"C USER bob", "S 331 password?", "C PASS secret", "S 230 ok"}}, "critical:cleartext-password warning:cleartext-despite-tls"},
		{"TLS login shows nothing", [][]string{{"S 220 ready", "C AUTH TLS", "S 234 go ahead"}}, ""},
		{"anonymous", [][]string{{"S 220 ready", "C USER anonymous", "S 331 e-mail?", "C PASS guest@example.org", "S 230 ok"}}, "info:anonymous-login"},
		{"anonymous without password", [][]string{{"S 220 ready", "C USER ftp", "S 230 ok"}}, "info:anonymous-login"},
		{"PORT bounce to a third host", [][]string{append(append([]string{}, login...), "C PORT 203,0,113,7,0,80", "S 200 ok")},
			"critical:cleartext-password critical:port-bounce"},
		// The client's own address: odd, but no third host is involved.
		{"PORT to a privileged port of the client", [][]string{append(append([]string{}, login...), "C PORT 192,0,2,10,0,25", "S 200 ok")},
			"critical:cleartext-password"},
		{"PORT to a privileged port of another host", [][]string{append(append([]string{}, login...), "C PORT 10,1,2,3,0,25", "S 200 ok")},
			"critical:cleartext-password critical:port-bounce"},
		{"PORT to the client's private address (NAT)", [][]string{append(append([]string{}, login...), "C PORT 10,1,2,3,156,64", "S 200 ok")},
			"critical:cleartext-password info:port-address-mismatch"},
		{"SITE EXEC", [][]string{append(append([]string{}, login...), "C SITE EXEC /bin/sh -c id", "S 200 done")},
			"critical:cleartext-password critical:site-exec"},
		{"SITE EXEC in any case, twice; SITE HELP is none", [][]string{append(append([]string{}, login...), "C SITE HELP", "S 214 help",
			"C site  exec id", "S 200 done", "C SITE EXEC ls", "S 200 done")},
			"critical:cleartext-password critical:site-exec critical:site-exec"},
		{"vsftpd 2.3.4 backdoor trigger", [][]string{{"S 220 (vsFTPd 2.3.4)", "C USER bob:)", "S 331 password?", "C PASS x", "S 530 no"}},
			"critical:cleartext-password critical:backdoor-trigger"},
		{"backdoor trigger to another server", [][]string{{"S 220 ready", "C USER bob", "S 331 password?", "C USER bob:)", "S 331 password?"}},
			"critical:backdoor-trigger"},
		{"passive address behind NAT", [][]string{append(append([]string{}, login...), "C PASV",
			"S 227 Entering Passive Mode (10,1,2,3,195,80).", "DATA 192.0.2.10:41000 198.51.100.21:50000", "C LIST", "S 150 here", "S 226 done")},
			"critical:cleartext-password info:pasv-address-mismatch info:unencrypted-transfer"},
		{"port theft", [][]string{append(append([]string{}, login...), "C PASV",
			"S 227 Entering Passive Mode (198,51,100,21,195,80).", "DATA 203.0.113.66:41000 198.51.100.21:50000", "C RETR secret.txt", "S 150 here", "S 226 done")},
			"critical:cleartext-password critical:port-theft info:unencrypted-transfer"},
		{"brute force across sessions", [][]string{
			{"S 220 ready", "C USER root", "S 331 password?", "C PASS a", "S 530 no", "C PASS b", "S 530 no"},
			{"S 220 ready", "C USER root", "S 331 password?", "C PASS c", "S 530 no", "C PASS d", "S 530 no"},
			{"S 220 ready", "C USER root", "S 331 password?", "C PASS e", "S 530 no"},
		}, "critical:cleartext-password critical:cleartext-password critical:cleartext-password critical:cleartext-password " +
			"critical:cleartext-password warning:brute-force"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := kinds(scriptCapture(t, tt.sessions...)); got != tt.want {
				t.Errorf("findings %q, want %q", got, tt.want)
			}
		})
	}
}

func TestProtectedLogin(t *testing.T) {
	ss := scriptCapture(t, []string{"S 220 ready", "C AUTH TLS", "S 234 go ahead"})
	if len(ss) != 1 || len(ss[0].Credentials) != 1 || !ss[0].Credentials[0].Protected || ss[0].Credentials[0].Password != "" {
		t.Fatalf("want one protected credential without a password, got %+v", ss[0].Credentials)
	}
}
