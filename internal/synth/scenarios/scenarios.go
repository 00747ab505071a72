// Package scenarios is the table of synthetic FTP captures used as fixtures.
//
// Every Scenario builds a capture with package synth and states, as plain Go
// values, what a correct analyzer must report about it (Facts). Tests of the
// analyzer read the written file and compare their findings with Facts.
package scenarios

import (
	"net/netip"
	"path"
	"sort"
	"strings"

	"github.com/ftptrace/ftptrace/internal/synth"
)

// Scenario is one synthetic capture.
type Scenario struct {
	Name        string // short name used by ftpsynth -scenario
	File        string // file name under testdata/pcaps (extension matches the format)
	Description string // one line
	Build       func() *synth.Capture
	Facts       Facts
}

// Facts is what a correct analyzer must report about a capture.
type Facts struct {
	Sessions []Session
	// NotFTP lists server endpoints of TCP conversations in the capture that
	// must not be reported as FTP.
	NotFTP []netip.AddrPort
}

// Session is one FTP control connection.
type Session struct {
	Client, Server netip.AddrPort
	// Midstream is true when the capture starts after the TCP handshake.
	Midstream bool
	User      string
	Password  string
	LoggedIn  bool
	// Commands are the command lines in order, without CRLF or Telnet
	// control bytes.
	Commands []string
	// Replies are the reply codes in order; a multi-line reply counts once.
	Replies []int
	// TLS is true when the control connection switched to TLS (AUTH TLS);
	// nothing after the 234 reply is readable.
	TLS bool
	// Reset is true when the control connection ended with RST.
	Reset     bool
	Transfers []Transfer
}

// Transfer is one data connection.
type Transfer struct {
	// Command caused the transfer, e.g. "LIST" or "RETR notes.txt".
	Command string
	// Setup is the command that announced the data address: PORT, EPRT,
	// LPRT, PASV, EPSV or LPSV.
	Setup string
	// Client and Server are the data connection's FTP-client and FTP-server
	// ends (whoever sent the SYN).
	Client, Server netip.AddrPort
	// Bytes is the size of the transfer, including bytes the capture missed.
	Bytes int
	// Missing is how many of those bytes are absent from the capture.
	Missing int
	// Upload is true for client-to-server transfers (STOR, APPE).
	Upload bool
	// Reset is true when the data connection ended with RST.
	Reset bool
}

var registry = map[string]Scenario{}

func register(s Scenario) {
	if _, dup := registry[s.Name]; dup {
		panic("scenarios: duplicate " + s.Name)
	}
	registry[s.Name] = s
}

// All returns every scenario sorted by name.
func All() []Scenario {
	out := make([]Scenario, 0, len(registry))
	for _, s := range registry {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Lookup returns the scenario with the given name; the file name with or
// without its extension ("synth-sll", "article-active.pcap") works too.
func Lookup(name string) (Scenario, bool) {
	if s, ok := registry[name]; ok {
		return s, true
	}
	for _, s := range registry {
		if name == s.File || name == strings.TrimSuffix(s.File, path.Ext(s.File)) {
			return s, true
		}
	}
	return Scenario{}, false
}
