package main

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/ftptrace/ftptrace/analyzer"
)

// sharedPcaps is the folder of public captures from other projects, beside
// the repository (never copied into it).
var sharedPcaps = filepath.Join("..", "..", "..", "shared", "pcaps")

type sessionJSON struct {
	ID        int    `json:"session"`
	User      string `json:"user"`
	Login     string `json:"login"`
	TLS       bool   `json:"tls"`
	DataConns int    `json:"data_connections"`
	Detected  string `json:"detected_by"`
	Server    string `json:"server"`
}

type credentialJSON struct {
	Session   int    `json:"session"`
	Protected bool   `json:"protected"`
	User      string `json:"user"`
	Password  string `json:"password"`
	Outcome   string `json:"outcome"`
	Cleartext bool   `json:"cleartext"`
}

type transferJSON struct {
	Session  int    `json:"session"`
	Command  string `json:"command"`
	Mode     string `json:"mode"`
	Bytes    int64  `json:"bytes"`
	Status   int    `json:"reply_code"`
	Complete bool   `json:"complete"`
	Verdict  string `json:"verdict"`
}

// TestSharedCaptures analyses every public capture and checks the sessions,
// logins, credentials, data connections and transfer verdicts against what
// an FTP expert reads in it (with tshark -n and MANIFEST.tsv; the comments
// say where it is subtle). Rows marked "formats" need a reader of that file
// format, "conns" the connection work of issue 15: they state the right
// expectation and fail until that work is merged.
func TestSharedCaptures(t *testing.T) {
	if _, err := os.Stat(sharedPcaps); err != nil {
		t.Skipf("skipping: the public captures are not at %s (%v)", sharedPcaps, err)
	}
	type want struct {
		sessions, data, transfers int
		users                     string // distinct "user:login", sorted
		creds                     string // "user/password/outcome", in order; "#outcome:count ..." for the brute forces
		tls                       bool
		verdicts                  string // "verdict:count", sorted
	}
	anonymous10 := strings.TrimSuffix(strings.Repeat("anonymous/anonymous/accepted,", 10), ",")
	laowang5 := strings.TrimSuffix(strings.Repeat("laowang/xiaoli/accepted,", 5), ",")
	tesla := "ben@ercolina-usa.com/nXe0M~WkW&nJ/accepted"
	wants := map[string]want{
		// vsftpd 2.3.4's backdoor (CVE-2011-2523): a USER ending in ":)"
		// opens a root shell on port 6200 (not FTP); the PASS is never
		// answered, so the login's outcome is unknown.
		"cyber-security__ftp-traffic.pcapng": {1, 0, 0, "dani:):none", "dani:)/dani/unknown", false, ""},
		// vsftpd on port 2121, found by content; the active data
		// connection still comes from port 20.
		"junkie__on-alt-port.pcap": {1, 1, 1, "anonymous:success", "anonymous/anon@localhost/accepted", false, "complete:1"},
		// The RETR of 1MB.zip (SIZE 1048576) has 109 KB in the capture.
		"ndpi__ftp.pcap": {1, 2, 2, "anonymous:success", "anonymous/NcFTP@/accepted", false, "complete:1,truncated:1"},
		// Two sessions 20 minutes apart, four STORs of stolen data.
		"nettrace__2024-12-04-AgentTesla-variant-using-FTP.pcap": {2, 4, 4, "ben@ercolina-usa.com:success", tesla + "," + tesla, false, "complete:4"},
		// Hydra against vsftpd 2.3.4: 1333 USER, 1013 PASS; 1003 answered
		// 530, 10 answered 230 (msfadmin twice, ftp and anonymous four
		// times each: anonymous FTP is open); the 320 USERs without a
		// PASS (the connection dropped, or "500 OOPS") stay unknown. Then
		// an interactive session: EPSV x4, STOR secret.txt, RETR -> 550,
		// STOR and RETR confidential.pdf.
		"packet-capture-analysis__bruteForce.pcapng": {349, 4, 4, "anonymous:success,ftp:success,msfadmin:failed,msfadmin:success",
			"#accepted:10 rejected:1003 unknown:320", false, "complete:3,failed:1"},
		// A SYN to port 21 sent three times, never answered: shown as an
		// attempted session with an unanswered handshake.
		"packets__ftpclientdenied.pcap": {1, 0, 0, ":none", "", false, ""},
		// The capture ends 5.8 KB into the RETR of a 4.98 MB Music.mp3:
		// no 226, the data connection still sending. The capture ended,
		// not the transfer (which nothing shows cut): unfinished.
		"packets__ppa1e-ftp.pcap": {1, 1, 1, "csanders:success", "csanders/echo/accepted", false, "unfinished:1"},
		// The three LISTs' data connections are not in the capture.
		"packets__tickedoffdeveloper.pcapng": {1, 1, 4, "salesxfer:success", "salesxfer/p@ssw0rd/accepted", false, "complete:1,no data:3"},
		// FTP on port 443, found by content.
		"packets__wrongdissector.pcapng": {1, 1, 1, "admin:success", "admin/admin/accepted", false, "complete:1"},
		// Explicit FTPS (AUTH TLS, 234), then TLS 1.3 to the end; the five
		// data connections (to 50003-50009, TLS themselves) are tied to
		// the session open between the same hosts: 1 and 4.
		"parcialtelematicos2__ftps2.pcap": {2, 5, 0, ":none", "(hidden by TLS)/unknown,(hidden by TLS)/unknown", true, ""},
		"pcap-analyser__ftp3.pcap":        {1, 1, 1, "test:success", "test/4Xk6RyhabzawwLPY/accepted", false, "complete:1"},
		// The Honeynet attacker's FTP server on port 8884 (found by
		// content): PORT to 1080, data from port 2152; the client sends
		// QUIT before the 226 arrives, which still answers RETR.
		"pcaps__attack-trace.pcap_.gz":     {1, 1, 1, "1:success", "1/1/accepted", false, "complete:1"},
		"protocol-pcap__ftp-cmd-data.pcap": {1, 5, 5, "anonymous:success", "anonymous/9702491@qq.com/accepted", false, "complete:5"},
		// conns: a lone data connection (a 388 KiB Windows executable, MZ)
		// whose control connection is not in the capture: a session of its
		// own (analyzer/orphan.go), with one transfer of unknown command.
		"protocol-pcap__ftp-data.pcap": {1, 1, 1, ":none", "", false, "complete:1"},
		// Starts with the QUIT/221 of an earlier control connection; the
		// second has no handshake; filtered to packets with payload, each
		// data connection is one data packet (Flag.txt's after its 226):
		// the session goes on after each 226, so they are complete.
		"r6-ctf-network__FTP.pcap": {2, 3, 3, ":none,ftp_user:success", "ftp_user/ftp_password/accepted", false, "complete:3"},
		// A Huawei router: anonymous/User@ refused (530), then laowang five
		// times; the 221s come without QUIT (the client closed first).
		"sample-captures__FTP.pcap": {6, 3, 3, "anonymous:failed,laowang:success", "anonymous/User@/rejected," + laowang5, false, "complete:3"},
		// formats (NetMon 2.x): IPv6 in IPv4 (6to4) to NetBSD-ftpd; the
		// control connection is still open at the end.
		"sample-captures__FTPv6-1.cap": {1, 0, 0, "anonymous:success", "anonymous/IEUser@/accepted", false, ""},
		// formats (NetMon 2.x): both control connections start mid-session
		// (no login); EPRT, which lacks its closing delimiter, refused
		// (500), LPRT accepted; the LIST's data connection carries
		// nothing, the capture ends inside the RETR, before its 226 (32 KB
		// of 1379369 on the wire, 3.6 KB of them not captured): unfinished.
		"sample-captures__FTPv6-2.cap": {2, 2, 2, ":none", "", false, "complete:1,unfinished:1"},
		// formats (NetMon 2.x): Kaspersky's updater sends IAC IP, IAC DM
		// (urgent) and ABOR after every download. Five times the 226 came
		// first (225 to ABOR); four times the server answered 426, but
		// every byte SIZE announced had arrived: complete all the same.
		// REST 1223 before avp.klb: partial. The tenth PASV's data
		// connection opens as the capture ends, before its RETR.
		"sample-captures__KasperskyPackets.CAP": {1, 10, 9, "anonymous:success",
			"anonymous/Updater_5.0.1.95-PersonalPro_5.0.0.0-0322-00006b-000851db@/accepted", false, "complete:8,partial:1"},
		// A Huawei router: REST 100 and SIZE refused (500): no offset.
		"sample-captures__ftp-router-upload-download.pcap": {1, 3, 3, "lisi:success", "lisi/123/accepted", false, "complete:3"},
		// IIS: the first session's "USER " (empty) is answered 501, a
		// syntax error that says nothing of a login: unknown.
		"sample-captures__ftp-win7-upload-download.pcap": {2, 4, 4, ":none,xiao:success", "//unknown,xiao/123/accepted", false, "complete:4"},
		// formats (IBM iSeries trace): OS/400 ends the RETR with "250 File
		// transfer completed successfully." instead of 226.
		"sample-captures__iseries.cap": {1, 1, 1, "cdts3500:success", "cdts3500/cdts3500/accepted", false, "complete:1"},
		// The second session is one stray server packet (425, 221, FIN) to
		// another client, captured without its start. Six STORs of empty
		// files (their data connections carry nothing), one of 56 KB with
		// 9.4 KB missing from the capture.
		"saved_pcaps__ftp_active.pcap":          {2, 7, 7, ":none,ISMFTP:success", "ISMFTP/FTPISM9/accepted", false, "complete:6,truncated:1"},
		"saved_pcaps__ftp_passive.pcap":         {1, 2, 2, "svc_backup_vosko:success", "svc_backup_vosko/C8Zy4jc4-8V-KTCT/accepted", false, "complete:2"},
		"scapy-ftp__ftp_ipv6.pcap":              {1, 1, 1, "test:success", "test/test/accepted", false, "complete:1"},
		"suricata-verify__bug-4877__input.pcap": {1, 4, 4, "anonymous:success", "anonymous//accepted", false, "complete:4"},
		// Three PWDs pipelined in one segment, one 257: the 250 answers
		// CWD, the other two PWDs get no reply.
		"suricata-verify__bug-8489-03.pcap": {1, 0, 0, "user:success", "user/password/accepted", false, ""},
		// Session 2's PORT names 2.2.2.3:80, a third public host.
		"suricata-verify__ftp-bounce__test.pcap": {2, 0, 0, "anonymous:success", "anonymous//accepted,anonymous//accepted", false, ""},
		// tcpreplay --unique-ip rewrote the clients' addresses but not the
		// PORT arguments (192.168.0.13): the server connects to each
		// client's own address (port-address-mismatch, not a bounce).
		"suricata-verify__ftp-ippair-leak-5204__input.pcap": {10, 20, 20, "anonymous:success", anonymous10, false, "complete:20"},
		// RETR before any PORT or PASV: "425 Use PORT or PASV first."
		"suricata-verify__ftp-retr-bypass-realserver__input.pcap": {1, 0, 1, "testuser:success", "testuser/testpass/accepted", false, "failed:1"},
		"suricata-verify__ftp-upload-passive__input.pcap":         {1, 3, 3, "alice:success", "alice/password/accepted", false, "complete:3"},
		"suricata-verify__output-eve-ftp-data__input.pcap":        {1, 2, 2, "anonymous:success", "anonymous/anonymous/accepted", false, "complete:2"},
		// Each PASV is followed by CWD, SIZE or MDTM before the LIST or
		// RETR that uses it.
		"write-ups-2014__csaw-traffic-5.pcap": {2, 3, 3, "anonymous:failed,forensics:success", "anonymous/mozilla@example.com/rejected,forensics/passw0rd/accepted", false, "complete:3"},
		// formats (RedHat 6.1 modified pcap): the flag is agent's password.
		"write-ups-2016__h4ckit-top_secret.pcap": {2, 1, 1, "agent:success,anonymous:failed", "anonymous/chrome@example.com/rejected,agent/h4ck1t{i_G07_ur_f1l3s}/accepted", false, "complete:1"},
		// conns: every FTP packet is in the capture twice (a docker host's
		// cooked capture): one session, one transfer.
		"write-ups-2017__TheGreatEscape.pcapng": {1, 1, 1, "bob:success", "bob/toto123/accepted", false, "complete:1"},
		// USER ftp answered 230 at once: a login without a password. The
		// RETR of a 5.4 GB file crossed the wire (the data connection's
		// FIN and the 221 say so); 24 KB of it is in the capture.
		"zeek__bigtransfer.pcap": {1, 2, 2, "ftp:success", "ftp//accepted", false, "complete:1,truncated:1"},
		"zeek__bruteforce.pcap":  {30, 0, 0, "bro:failed", "#rejected:30", false, ""},
		// 688 PASVs, 687 RETRs (one RETR, its PASV, some replies are in
		// segments the capture lost); no data connection is in it.
		"zeek__cwd-navigation.pcap": {1, 0, 687, "anonymous:success", "anonymous/anonymous@/accepted", false, "no data:687"},
		// Verbs of 132 characters answered as if valid; the 227 names no
		// address (passive mode all the same); RETR answered 225.
		"zeek__fake-long-commands.pcap": {1, 0, 1, "anonymous:success", "anonymous/anonymous@zeek.org/accepted", false, "no data:1"},
		"zeek__ftp-auth-tls.pcap":       {1, 0, 0, ":none", "(hidden by TLS)/unknown", true, ""},
		// "99 PASV invalid" is no reply (two digits): PASV gets none.
		"zeek__ftp-invalid-reply-code.pcap": {1, 0, 0, "zeek:success", "zeek/zeek/accepted", false, ""},
		// "SYST not supported" has no reply code: SYST gets no reply, 221
		// answers QUIT.
		"zeek__ftp-missing-reply-code.pcap":    {1, 0, 0, "zeek:success", "zeek/zeek/accepted", false, ""},
		"zeek__ftp-password-pass-command.pcap": {1, 0, 0, "Admin:failed", "Admin/qwerty/rejected", false, ""},
		"zeek__ipv4.pcap":                      {1, 4, 4, "anonymous:success", "anonymous/test/accepted", false, "complete:4"},
		"zeek__ipv6-multiline-reply.pcap":      {1, 0, 1, "anonymous:success", "anonymous/root@sponge.es.net/accepted", false, "failed:1"},
		// EPSV and RETR with 150/226, the data connection not captured.
		"zeek__ipv6-retr-samba.pcap": {1, 0, 1, "anonymous:success", "anonymous/root@freebsd-5453/accepted", false, "no data:1"},
		"zeek__ipv6.pcap":            {1, 5, 5, "anonymous:success", "anonymous/test/accepted", false, "complete:5"},
		// 16 MB of "A" without a line end to port 21, never answered: one
		// session, no command a server would take, no login.
		"zeek__nvt-line-limit-crlf-heap-buffer-overflow.pcap.gz": {1, 0, 0, ":none", "", false, ""},
		// wget: "LIST -a" and four RETRs of Windows executables.
		"zeek__pe.pcap":   {1, 5, 5, "anonymous:success", "anonymous/-wget@/accepted", false, "complete:5"},
		"zeek__retr.pcap": {1, 1, 1, "anonymous:success", "anonymous/chrome@example.com/accepted", false, "complete:1"},
		// FTP beside SSH and HTTP; a 230- multi-line MOTD.
		"zeek__var-services-std-ports.pcap": {1, 0, 0, "jsiwek:success", "jsiwek/whatabadpass/accepted", false, ""},
	}
	files, _ := filepath.Glob(filepath.Join(sharedPcaps, "*"))
	files = slices.DeleteFunc(files, func(f string) bool { return filepath.Base(f) == "MANIFEST.tsv" })
	if len(files) != len(wants) {
		t.Errorf("found %d captures in %s, the table knows %d", len(files), sharedPcaps, len(wants))
	}
	for _, f := range files {
		name := filepath.Base(f)
		t.Run(name, func(t *testing.T) {
			w, ok := wants[name]
			if !ok {
				t.Fatalf("no expectation for %s", name)
			}
			out, stderr, code := runCLI(t, "--json", f)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			checkSchema(t, out)
			sessions := records[sessionJSON](t, out, "session")
			creds := records[credentialJSON](t, out, "credential")
			transfers := records[transferJSON](t, out, "transfer")
			data, tls := 0, false
			users := map[string]bool{}
			for _, s := range sessions {
				data += s.DataConns
				tls = tls || s.TLS
				users[s.User+":"+s.Login] = true
			}
			verdicts := map[string]int{}
			for _, x := range transfers {
				verdicts[x.Verdict]++
				if x.Session == 0 {
					data++ // a data connection in no session (its control connection is not in the capture)
				}
			}
			got := want{len(sessions), data, len(transfers), joinSorted(users), credList(creds, strings.HasPrefix(w.creds, "#")), tls, counts(verdicts, ":", ",")}
			if got != w {
				t.Errorf("got  %+v\nwant %+v", got, w)
			}
			// The findings the audit must raise on these captures, and only there.
			kinds := map[string]int{}
			for _, f := range records[findingJSON](t, out, "finding") {
				kinds[f.Kind]++
			}
			wantKinds := map[string][]string{
				"brute-force":           {"zeek__bruteforce.pcap", "packet-capture-analysis__bruteForce.pcapng"},
				"port-bounce":           {"suricata-verify__ftp-bounce__test.pcap"},
				"port-address-mismatch": {"suricata-verify__ftp-ippair-leak-5204__input.pcap"},
				"cleartext-despite-tls": {"saved_pcaps__ftp_passive.pcap"},
				"pasv-address-mismatch": {"zeek__cwd-navigation.pcap"},
				"backdoor-trigger":      {"cyber-security__ftp-traffic.pcapng"},
			}
			for kind, captures := range wantKinds {
				if got, want := kinds[kind] > 0, slices.Contains(captures, name); got != want {
					t.Errorf("finding %s: present %v, want %v", kind, got, want)
				}
			}
		})
	}
}

// analyzeArgs runs the analysis of a command line in the test's process,
// handing each session to emit.
func analyzeArgs(t *testing.T, args []string, emit func(*analyzer.Session)) *result {
	t.Helper()
	cfg, err := parseArgs(args)
	if err != nil {
		t.Fatal(err)
	}
	inputs, err := expandInputs(cfg.files)
	if err != nil {
		t.Fatal(err)
	}
	res, err := analyze(cfg, inputs, newInterrupt(), nil, nil, emit)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }

// cliCommand is the built ftptrace with its arguments, to be started by
// the test.
func cliCommand(args ...string) *exec.Cmd { return exec.Command(ftptraceBin, args...) }

// joinSorted joins a set's members in order.
func joinSorted(set map[string]bool) string {
	var list []string
	for k := range set {
		list = append(list, k)
	}
	sort.Strings(list)
	return strings.Join(list, ",")
}

// counts writes "key:n" for each key of m, sorted, joined by sep.
func counts(m map[string]int, kv, sep string) string {
	var list []string
	for k, n := range m {
		list = append(list, k+kv+strconv.Itoa(n))
	}
	sort.Strings(list)
	return strings.Join(list, sep)
}

// credList lists the login attempts "user/password/outcome" (the protected
// ones "(hidden by TLS)/outcome"), or, for a brute force, counts them by
// outcome: "#accepted:10 rejected:1003".
func credList(creds []credentialJSON, byOutcome bool) string {
	if byOutcome {
		outcomes := map[string]int{}
		for _, c := range creds {
			outcomes[c.Outcome]++
		}
		return "#" + counts(outcomes, ":", " ")
	}
	var list []string
	for _, c := range creds {
		if c.Protected {
			list = append(list, "(hidden by TLS)/"+c.Outcome)
			continue
		}
		list = append(list, c.User+"/"+c.Password+"/"+c.Outcome)
	}
	return strings.Join(list, ",")
}
