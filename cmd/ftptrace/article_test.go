package main

import (
	"bufio"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

type stepJSON struct {
	Type    string `json:"type"`
	N       int    `json:"n"`
	Session int    `json:"session"`
	Conn    string `json:"conn"`
	DataID  int    `json:"data_id"`
	From    string `json:"from"`
	To      string `json:"to"`
	Sender  string `json:"sender"`
	Kind    string `json:"kind"`
	Flags   string `json:"flags"`
	Command string `json:"command"`
	Arg     string `json:"arg"`
	Code    int    `json:"reply_code"`
	Phase   string `json:"phase"`
	Explain string `json:"explain"`
}

// records decodes JSON Lines output, keeping the records of one type.
func records[T any](t *testing.T, out, typ string) []T {
	t.Helper()
	var list []T
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var probe struct{ Type string }
		if err := json.Unmarshal(sc.Bytes(), &probe); err != nil {
			t.Fatalf("invalid JSON line %q: %v", sc.Text(), err)
		}
		if probe.Type != typ {
			continue
		}
		var r T
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		list = append(list, r)
	}
	return list
}

// TestArticleWalkthrough checks that the timeline of the synthesized article
// capture reproduces the 32 steps of ../shared/docs/walkthrough.md in order.
// The article's step 17 ("150 reply and the directory listing flows") is two
// steps here: the 150 reply on the control connection and the data transfer.
func TestArticleWalkthrough(t *testing.T) {
	const (
		client  = "192.168.120.168:51299"
		server  = "192.168.120.240:21"
		cData   = "192.168.120.168:51300"
		sData   = "192.168.120.240:20"
		control = "control"
		data    = "data"
	)
	want := []struct {
		article    int
		conn       string
		from, to   string
		kind       string
		what       string // command, reply code, flags
		phase      string
		explainHas string
	}{
		{1, control, client, server, "handshake", "SYN SYN,ACK ACK", "handshake", "opens the control connection from its port 51299 to the server's port 21"},
		{2, control, server, client, "reply", "220", "", "greets the client"},
		{3, control, client, server, "ack", "ACK", "", "acknowledges the server's 220 reply"},
		{4, control, client, server, "command", "USER yuanbin", "", "user name"},
		{5, control, server, client, "ack", "ACK", "", "acknowledges the USER command"},
		{6, control, server, client, "reply", "331", "", "password needed"},
		{7, control, client, server, "ack", "ACK", "", "331"},
		{8, control, client, server, "command", "PASS 123456", "", "in clear text"},
		{9, control, server, client, "ack", "ACK", "", "PASS"},
		{10, control, server, client, "reply", "230", "", "logged in"},
		{11, control, client, server, "ack", "ACK", "", "230"},
		{12, control, client, server, "command", "PORT 192,168,120,168,200,100", "", "port 200*256+100 = 51300"},
		{13, control, server, client, "ack", "ACK", "", "PORT"},
		{14, control, server, client, "reply", "200", "", "command okay"},
		{15, control, client, server, "command", "LIST", "", "ls"},
		{16, data, sData, cData, "handshake", "SYN SYN,ACK ACK", "handshake", "from its port 20 to the client's port 51300"},
		{17, control, server, client, "reply", "150", "", "data follows"},
		{17, data, sData, cData, "data", "", "", "LIST listing"},
		{18, data, sData, cData, "fin", "FIN,ACK", "teardown 1/4", "closes its side"},
		{19, data, cData, sData, "ack", "ACK", "teardown 2/4", "half-closed"},
		{20, control, server, client, "reply", "226", "", "transfer complete"},
		{21, control, client, server, "ack", "ACK", "", "226"},
		{22, data, cData, sData, "fin", "FIN,ACK", "teardown 3/4", "too"},
		{23, data, sData, cData, "ack", "ACK", "teardown 4/4", "is closed"},
		{24, control, client, server, "command", "PWD", "", "working directory"},
		{25, control, server, client, "reply", "257", "", "PWD"},
		{26, control, client, server, "ack", "ACK", "", "257"},
		{27, control, client, server, "command", "QUIT", "", "logs out"},
		{28, control, server, client, "reply", "221", "", "closing the control connection"},
		{29, control, server, client, "fin", "FIN,ACK", "teardown 1/4", "closes its side of the control connection"},
		{30, control, client, server, "ack", "ACK", "teardown 2/4", "half-closed"},
		{31, control, client, server, "fin", "FIN,ACK", "teardown 3/4", "too"},
		{32, control, server, client, "ack", "ACK", "teardown 4/4", "the control connection is closed"},
	}
	out, stderr, code := runCLI(t, "--json", filepath.Join("..", "..", "testdata", "pcaps", "article-active.pcap"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	steps := records[stepJSON](t, out, "step")
	if len(steps) != len(want) {
		t.Fatalf("got %d steps, want %d (the article's 32, step 17 split in two)", len(steps), len(want))
	}
	last := 0
	for i, w := range want {
		st := steps[i]
		if w.article < last || w.article > last+1 {
			t.Fatalf("bad table at %d", i)
		}
		last = w.article
		what := st.Flags
		switch st.Kind {
		case "command":
			what = strings.TrimSpace(st.Command + " " + st.Arg)
		case "reply":
			what = itoa3(st.Code)
		case "data":
			what = ""
		}
		if st.N != i+1 || st.Conn != w.conn || st.From != w.from || st.To != w.to || st.Kind != w.kind || what != w.what || st.Phase != w.phase {
			t.Errorf("article step %d (our step %d): got %s %s->%s %s %q [%s], want %s %s->%s %s %q [%s]",
				w.article, i+1, st.Conn, st.From, st.To, st.Kind, what, st.Phase, w.conn, w.from, w.to, w.kind, w.what, w.phase)
		}
		if !strings.Contains(st.Explain, w.explainHas) {
			t.Errorf("article step %d: explanation %q does not mention %q", w.article, st.Explain, w.explainHas)
		}
	}
}

func itoa3(code int) string {
	return string([]byte{byte('0' + code/100), byte('0' + code/10%10), byte('0' + code%10)})
}
