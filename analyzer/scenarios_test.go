package analyzer_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ftptrace/ftptrace/analyzer"
	"github.com/ftptrace/ftptrace/internal/synth/scenarios"
	"github.com/ftptrace/ftptrace/reassembly"
)

// analyzeFile runs a capture through reassembly and the analyzer.
func analyzeFile(t *testing.T, path string) []*analyzer.Session {
	t.Helper()
	src, err := reassembly.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	sessions, _, err := analyzer.Run(src, analyzer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return sessions
}

// TestScenarioFacts compares what the analyzer finds in every synthetic
// capture with the facts its generator states: sessions, commands, replies,
// logins, TLS and every data connection with its bytes.
func TestScenarioFacts(t *testing.T) {
	for _, sc := range scenarios.All() {
		t.Run(sc.Name, func(t *testing.T) {
			sessions := analyzeFile(t, filepath.Join("..", "testdata", "pcaps", sc.File))
			if len(sessions) != len(sc.Facts.Sessions) {
				t.Fatalf("%d sessions, want %d", len(sessions), len(sc.Facts.Sessions))
			}
			for i, want := range sc.Facts.Sessions {
				checkSession(t, sessions[i], want)
			}
			for _, notFTP := range sc.Facts.NotFTP {
				for _, s := range sessions {
					if s.Server == notFTP {
						t.Errorf("%s was reported as an FTP server", notFTP)
					}
				}
			}
		})
	}
}

func checkSession(t *testing.T, s *analyzer.Session, want scenarios.Session) {
	t.Helper()
	if s.Client != want.Client || s.Server != want.Server || s.Midstream != want.Midstream {
		t.Errorf("session %d: %s -> %s (midstream %v), want %s -> %s (%v)", s.ID, s.Client, s.Server, s.Midstream, want.Client, want.Server, want.Midstream)
	}
	var cmds []string
	for _, c := range s.Commands {
		line := c.Verb
		if c.Arg != "" {
			line += " " + c.Arg
		}
		cmds = append(cmds, line)
	}
	if got, w := strings.Join(cmds, " | "), strings.Join(want.Commands, " | "); !strings.EqualFold(got, w) {
		t.Errorf("session %d commands:\n got  %s\n want %s", s.ID, got, w)
	}
	var codes []string
	for _, st := range s.Steps {
		if st.Kind == analyzer.KindReply {
			codes = append(codes, fmt.Sprint(st.Code))
		}
	}
	var wantCodes []string
	for _, c := range want.Replies {
		wantCodes = append(wantCodes, fmt.Sprint(c))
	}
	if got, w := strings.Join(codes, " "), strings.Join(wantCodes, " "); got != w {
		t.Errorf("session %d replies: got %s, want %s", s.ID, got, w)
	}
	loggedIn := s.Login == "success"
	if s.User != want.User || loggedIn != want.LoggedIn || s.TLS != want.TLS {
		t.Errorf("session %d: user %q login %s tls %v, want %q logged in %v tls %v", s.ID, s.User, s.Login, s.TLS, want.User, want.LoggedIn, want.TLS)
	}
	if want.Password != "" {
		found := false
		for _, c := range s.Credentials {
			found = found || (c.Password == want.Password && c.HasPass)
		}
		if !found {
			t.Errorf("session %d: password %q not among the credentials", s.ID, want.Password)
		}
	}
	if reset := s.ClosedBy == "rst"; reset != want.Reset {
		t.Errorf("session %d: control reset %v, want %v", s.ID, reset, want.Reset)
	}
	checkTransfers(t, s, want.Transfers)
}

func checkTransfers(t *testing.T, s *analyzer.Session, want []scenarios.Transfer) {
	t.Helper()
	if len(s.DataConns) != len(want) {
		t.Errorf("session %d: %d data connections, want %d", s.ID, len(s.DataConns), len(want))
		return
	}
	for i, w := range want {
		dc := s.DataConns[i]
		var tr *analyzer.Transfer
		for _, x := range s.Transfers {
			if x.Data == dc {
				tr = x
			}
		}
		if tr == nil {
			t.Errorf("data connection #%d is tied to no transfer command (want %q)", dc.ID, w.Command)
			continue
		}
		cmd := tr.Command
		if tr.Arg != "" {
			cmd += " " + tr.Arg
		}
		ftpClient, ftpServer := dc.Client, dc.Server
		if dc.Expect.Mode == "active" {
			ftpClient, ftpServer = dc.Server, dc.Client
		}
		captured := dc.Bytes[0] + dc.Bytes[1]
		if cmd != w.Command || dc.Expect.Command != w.Setup || ftpClient != w.Client || ftpServer != w.Server {
			t.Errorf("data #%d: %q via %s %s<->%s, want %q via %s %s<->%s", dc.ID, cmd, dc.Expect.Command, ftpClient, ftpServer, w.Command, w.Setup, w.Client, w.Server)
		}
		if captured != int64(w.Bytes-w.Missing) || dc.GapBytes != int64(w.Missing) {
			t.Errorf("data #%d (%s): %d bytes captured, %d missing; want %d and %d", dc.ID, cmd, captured, dc.GapBytes, w.Bytes-w.Missing, w.Missing)
		}
		upload := tr.Direction == "upload"
		if upload != w.Upload || (dc.Closed == "rst") != w.Reset {
			t.Errorf("data #%d: upload %v reset %v, want %v %v", dc.ID, upload, dc.Closed == "rst", w.Upload, w.Reset)
		}
	}
}
