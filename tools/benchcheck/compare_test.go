package main

import (
	"encoding/json"
	"strings"
	"testing"
)

const truthJSON = `{"packets":10,"bytes":900,"credentials":1,"transfers":1,"sessions":[
 {"client":"192.0.2.1:10001","server":"203.0.113.10:21","user":"bob","login":"success","ended":"rst",
  "credentials":[{"user":"bob","password":"pw","outcome":"accepted"}],
  "transfers":[{"command":"RETR","mode":"passive","announce":"EPSV","bytes":5,"sha256":"abc"}]}]}`

const analysisOK = `{"type":"session","session":1,"client":"192.0.2.1:10001","server":"203.0.113.10:21","user":"bob","login":"success","ended":"rst"}
{"type":"step","n":1}
{"type":"credential","session":1,"user":"bob","password":"pw","outcome":"accepted"}
{"type":"transfer","session":1,"transfer":1,"command":"RETR","mode":"passive","announce":"229 Entering Extended Passive Mode (|||30001|)","bytes":5,"complete":true,"sha256":"abc"}
{"type":"summary","packets":10,"bytes":900,"sessions":1,"transfers":1}
`

func TestCompare(t *testing.T) {
	var tr truth
	if err := json.Unmarshal([]byte(truthJSON), &tr); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, analysis, want string
	}{
		{"agree", analysisOK, ""},
		{"wrong password", strings.Replace(analysisOK, `"password":"pw"`, `"password":"px"`, 1), "credential 1: bob/px accepted; truth bob/pw accepted"},
		{"short transfer", strings.Replace(analysisOK, `"bytes":5,"complete":true`, `"bytes":4,"complete":false`, 1), "RETR passive EPSV 4 B complete=false"},
		{"ended otherwise", strings.Replace(analysisOK, `"ended":"rst"`, `"ended":"capture ended"`, 1), `ended "capture ended"; truth "rst"`},
		{"no summary", strings.Split(analysisOK, `{"type":"summary"`)[0], "no summary record"},
	}
	for _, tt := range tests {
		a, err := readAnalysis(strings.NewReader(tt.analysis))
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		diffs := strings.Join(compare(&tr, a), "\n")
		if tt.want == "" && diffs != "" || !strings.Contains(diffs, tt.want) {
			t.Errorf("%s: differences %q, want %q", tt.name, diffs, tt.want)
		}
	}
}

func TestCompareCreds(t *testing.T) {
	var tr truth
	if err := json.Unmarshal([]byte(strings.Replace(truthJSON, `"password":"pw"`, `"password":"pwAAAAAAAAAAAAAAAAAAAAAAA"`, 1)), &tr); err != nil {
		t.Fatal(err)
	}
	const view = `session  step  client           server           user  password                   outcome   time            exposure
-------  ----  ---------------  ---------------  ----  -------------------------  --------  --------------  ----------
      1     6  192.0.2.1:10001  203.0.113.10:21  bob   pwAAAAAAAAAAAAAAAAAAAAAAA  accepted  01-01 00:00:00  clear text
`
	tests := []struct{ name, view, want string }{
		{"agree", view, ""},
		{"password missing", strings.Replace(view, " pwAAAAAAAAAAAAAAAAAAAAAAA ", " ** ", 1), `"pwAAAAAAAAAAAAAAAAAAAAAAA" not shown`},
		{"extra row", view + "      1     9  192.0.2.1:10001  203.0.113.10:21  eve   x  rejected  01-01 00:00:01  clear text\n", "2 rows; truth 1 credentials"},
		{"no rows", "no credentials\n", "0 rows; truth 1 credentials"},
		{"long password cut", strings.Replace(view, " pwAAAAAAAAAAAAAAAAAAAAAAA ", " pwAAAAAAAAAAAAAA… ", 1), ""},
		{"cut too short", strings.Replace(view, " pwAAAAAAAAAAAAAAAAAAAAAAA ", " pwAAAAAAA… ", 1), `not shown`},
		{"another password cut", strings.Replace(view, " pwAAAAAAAAAAAAAAAAAAAAAAA ", " pxAAAAAAAAAAAAAA… ", 1), `not shown`},
	}
	for _, tt := range tests {
		diffs := strings.Join(compareCreds(&tr, tt.view), "\n")
		if tt.want == "" && diffs != "" || !strings.Contains(diffs, tt.want) {
			t.Errorf("%s: differences %q, want %q", tt.name, diffs, tt.want)
		}
	}
}

func TestCompareSummary(t *testing.T) {
	var tr truth
	if err := json.Unmarshal([]byte(truthJSON), &tr); err != nil {
		t.Fatal(err)
	}
	const view = `Capture: 10 packets, 900 B (900 bytes), 1 TCP connections
FTP sessions: 1 (0 protected by TLS or an RFC 2228 mechanism)
Logins: 1 accepted, 0 rejected; 1 password sent in clear text
Transfers: 1 (1 complete), 5 B (5 bytes) down, 0 B (0 bytes) up
`
	tests := []struct{ name, view, want string }{
		{"agree", view, ""},
		{"a packet short", strings.Replace(view, "10 packets", "9 packets", 1), "9 packets, 900 bytes, 1 sessions"},
		{"incomplete", strings.Replace(view, "(1 complete)", "(0 complete)", 1), "1 transfers (0 complete); truth"},
		{"a rejected login more", strings.Replace(view, "0 rejected", "1 rejected", 1), "1 accepted, 1 rejected"},
		{"not a summary", "no sessions\n", "no Capture"},
	}
	for _, tt := range tests {
		diffs := strings.Join(compareSummary(&tr, tt.view), "\n")
		if tt.want == "" && diffs != "" || !strings.Contains(diffs, tt.want) {
			t.Errorf("%s: differences %q, want %q", tt.name, diffs, tt.want)
		}
	}
}

// TestCompareReusedPorts: two sessions on one 4-tuple, one after the
// other, are matched in the order they began.
func TestCompareReusedPorts(t *testing.T) {
	const truth2 = `{"packets":1,"bytes":1,"credentials":0,"transfers":0,"sessions":[
 {"client":"192.0.2.1:10001","server":"203.0.113.10:21","user":"eve","login":"failed","ended":"fin","credentials":[],"transfers":[]},
 {"client":"192.0.2.1:10001","server":"203.0.113.10:21","user":"bob","login":"success","ended":"quit","credentials":[],"transfers":[]}]}`
	var tr truth
	if err := json.Unmarshal([]byte(truth2), &tr); err != nil {
		t.Fatal(err)
	}
	ok := `{"type":"session","session":1,"client":"192.0.2.1:10001","server":"203.0.113.10:21","user":"eve","login":"failed","ended":"fin"}
{"type":"session","session":2,"client":"192.0.2.1:10001","server":"203.0.113.10:21","user":"bob","login":"success","ended":"quit"}
{"type":"summary","packets":1,"bytes":1,"sessions":2,"transfers":0}
`
	for _, tt := range []struct{ name, analysis, want string }{
		{"in order", ok, ""},
		{"one missing", strings.Split(ok, "\n")[0] + "\n" + strings.Split(ok, "\n")[2] + "\n", "missing"},
		{"a third", strings.Replace(ok, `{"type":"summary"`, `{"type":"session","session":3,"client":"192.0.2.1:10001","server":"203.0.113.10:21"}`+"\n"+`{"type":"summary"`, 1), "session 3 (192.0.2.1:10001 -> 203.0.113.10:21): not an FTP session"},
	} {
		a, err := readAnalysis(strings.NewReader(tt.analysis))
		if err != nil {
			t.Fatal(err)
		}
		diffs := strings.Join(compare(&tr, a), "\n")
		if tt.want == "" && diffs != "" || !strings.Contains(diffs, tt.want) {
			t.Errorf("%s: differences %q, want %q", tt.name, diffs, tt.want)
		}
	}
}
