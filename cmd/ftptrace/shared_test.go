package main

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
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
// logins, credentials and data connections against what MANIFEST.tsv says
// (and what tshark shows; differences are explained in the comments).
func TestSharedCaptures(t *testing.T) {
	if _, err := os.Stat(sharedPcaps); err != nil {
		t.Skipf("skipping: the public captures are not at %s (%v)", sharedPcaps, err)
	}
	type want struct {
		sessions, data, transfers int
		users                     string // distinct "user:login", sorted
		creds                     string // "user/password/outcome", in order
		tls                       bool
	}
	wants := map[string]want{
		"ndpi__ftp.pcap": {1, 2, 2, "anonymous:success", "anonymous/NcFTP@/accepted", false},
		// A SYN to port 21 sent three times, never answered: shown as an
		// attempted session with an unanswered handshake.
		"packets__ftpclientdenied.pcap":      {1, 0, 0, ":none", "", false},
		"packets__ppa1e-ftp.pcap":            {1, 1, 1, "csanders:success", "csanders/echo/accepted", false},
		"packets__tickedoffdeveloper.pcapng": {1, 1, 4, "salesxfer:success", "salesxfer/p@ssw0rd/accepted", false},
		// FTP on port 443, found by content.
		"packets__wrongdissector.pcapng":   {1, 1, 1, "admin:success", "admin/admin/accepted", false},
		"pcap-analyser__ftp3.pcap":         {1, 1, 1, "test:success", "test/4Xk6RyhabzawwLPY/accepted", false},
		"protocol-pcap__ftp-cmd-data.pcap": {1, 5, 5, "anonymous:success", "anonymous/9702491@qq.com/accepted", false},
		// A lone data connection: nothing marks it as FTP.
		"protocol-pcap__ftp-data.pcap": {0, 0, 0, "", "", false},
		// The second session is one stray server packet (425, 221, FIN) to
		// another client, captured without its start.
		"saved_pcaps__ftp_active.pcap":                      {2, 7, 7, ":none,ISMFTP:success", "ISMFTP/FTPISM9/accepted", false},
		"saved_pcaps__ftp_passive.pcap":                     {1, 2, 2, "svc_backup_vosko:success", "svc_backup_vosko/C8Zy4jc4-8V-KTCT/accepted", false},
		"scapy-ftp__ftp_ipv6.pcap":                          {1, 1, 1, "test:success", "test/test/accepted", false},
		"suricata-verify__bug-4877__input.pcap":             {1, 4, 4, "anonymous:success", "anonymous//accepted", false},
		"suricata-verify__ftp-bounce__test.pcap":            {2, 0, 0, "anonymous:success", "anonymous//accepted,anonymous//accepted", false},
		"suricata-verify__ftp-ippair-leak-5204__input.pcap": {10, 20, 20, "anonymous:success", strings.TrimSuffix(strings.Repeat("anonymous/anonymous/accepted,", 10), ","), false},
		"suricata-verify__ftp-upload-passive__input.pcap":   {1, 3, 3, "alice:success", "alice/password/accepted", false},
		"suricata-verify__output-eve-ftp-data__input.pcap":  {1, 2, 2, "anonymous:success", "anonymous/anonymous/accepted", false},
		// USER ftp answered 230 at once: a login without a password.
		"zeek__bigtransfer.pcap":               {1, 2, 2, "ftp:success", "ftp//accepted", false},
		"zeek__bruteforce.pcap":                {30, 0, 0, "bro:failed", "", false},
		"zeek__cwd-navigation.pcap":            {1, 0, 687, "anonymous:success", "anonymous/anonymous@/accepted", false},
		"zeek__ftp-auth-tls.pcap":              {1, 0, 0, ":none", "(hidden by TLS)/unknown", true},
		"zeek__ftp-invalid-reply-code.pcap":    {1, 0, 0, "zeek:success", "zeek/zeek/accepted", false},
		"zeek__ftp-password-pass-command.pcap": {1, 0, 0, "Admin:failed", "Admin/qwerty/rejected", false},
		"zeek__ipv4.pcap":                      {1, 4, 4, "anonymous:success", "anonymous/test/accepted", false},
		"zeek__ipv6-multiline-reply.pcap":      {1, 0, 1, "anonymous:success", "anonymous/root@sponge.es.net/accepted", false},
		"zeek__ipv6.pcap":                      {1, 5, 5, "anonymous:success", "anonymous/test/accepted", false},
	}
	files, _ := filepath.Glob(filepath.Join(sharedPcaps, "*.pcap*"))
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
			var userList, credList []string
			for u := range users {
				userList = append(userList, u)
			}
			sort.Strings(userList)
			rejected := 0
			for _, c := range creds {
				if c.Outcome == "rejected" && w.creds == "" {
					rejected++ // brute force: counted, not listed
					continue
				}
				if c.Protected {
					credList = append(credList, "(hidden by TLS)/"+c.Outcome)
					continue
				}
				credList = append(credList, c.User+"/"+c.Password+"/"+c.Outcome)
			}
			got := want{len(sessions), data, len(transfers), strings.Join(userList, ","), strings.Join(credList, ","), tls}
			if got != w {
				t.Errorf("got  %+v\nwant %+v", got, w)
			}
			if name == "zeek__bruteforce.pcap" && rejected != 30 {
				t.Errorf("brute force: %d rejected clear-text attempts, want 30", rejected)
			}
			// The findings the audit must raise on these captures, and only there.
			kinds := map[string]int{}
			for _, f := range records[findingJSON](t, out, "finding") {
				kinds[f.Kind]++
			}
			wantKinds := map[string]string{
				"zeek__bruteforce.pcap":                  "brute-force",
				"suricata-verify__ftp-bounce__test.pcap": "port-bounce",
				"saved_pcaps__ftp_passive.pcap":          "cleartext-despite-tls",
			}
			for capture, kind := range wantKinds {
				if got := kinds[kind] > 0; got != (capture == name) {
					t.Errorf("finding %s: present %v, want %v", kind, got, capture == name)
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
