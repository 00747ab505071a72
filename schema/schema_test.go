package schema_test

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/ftptrace/ftptrace/report"
	"github.com/ftptrace/ftptrace/schema"
)

// root is the repository, where the golden files are.
const root = ".."

// TestGoldenJSONMatchesSchema checks every golden JSON Lines file of the
// repository (any testdata/golden/*.jsonl) against the schema, record by
// record.
func TestGoldenJSONMatchesSchema(t *testing.T) {
	var files []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "bin") {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(path, ".jsonl") && filepath.Base(filepath.Dir(path)) == "golden" {
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 20 {
		t.Fatalf("found only %d golden JSON files under %s", len(files), root)
	}
	records := 0
	for _, path := range files {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		n, err := schema.CheckLines(f)
		f.Close()
		if err != nil {
			t.Errorf("%s does not match schema/ftptrace.schema.json:\n%v", path, err)
		}
		records += n
	}
	t.Logf("%d records in %d golden files", records, len(files))
}

// A record of each type, as ftptrace writes them (from the article's
// capture, with every optional field the type has that the capture lacks
// left out).
var valid = map[string]string{
	"session":    `{"type":"session","ts":"2008-11-05T10:00:00.000000000Z","session":1,"uid":"C0VsUWADXgFcQIABLJ","client":"192.168.120.168:51299","client_ip":"192.168.120.168","client_port":51299,"server":"192.168.120.240:21","server_ip":"192.168.120.240","server_port":21,"end":"2008-11-05T10:00:15.674850000Z","user":"yuanbin","login":"success","tls":false,"commands":6,"transfers":1,"complete":true,"banner":"(vsFTPd 2.0.5)","data_connections":1,"detected_by":"port 21","teardown":"4-packet","software":"(vsFTPd 2.0.5)","ended":"quit","bytes_down":201,"bytes_up":0}`,
	"step":       `{"type":"step","ts":"2008-11-05T10:00:08.447350000Z","session":1,"uid":"C0VsUWADXgFcQIABLJ","n":12,"frame":14,"conn":"control","from":"192.168.120.168:51299","from_ip":"192.168.120.168","from_port":51299,"to":"192.168.120.240:21","to_ip":"192.168.120.240","to_port":21,"sender":"client","kind":"command","flags":"PSH,ACK","command":"PORT","arg":"192,168,120,168,200,100","explain":"The client announces where the server shall connect for data.","address":"192.168.120.168:51300","address_ip":"192.168.120.168","address_port":51300}`,
	"command":    `{"type":"command","ts":"2008-11-05T10:00:08.450100000Z","session":1,"uid":"C0VsUWADXgFcQIABLJ","step":15,"command":"LIST","arg":"","preliminary_code":150,"reply_code":226,"reply_text":"Directory send OK.","reply_time":"2008-11-05T10:00:08.453350000Z"}`,
	"transfer":   `{"type":"transfer","ts":"2008-11-05T10:00:08.450100000Z","session":1,"uid":"C0VsUWADXgFcQIABLJ","transfer":1,"client":"192.168.120.168:51299","client_ip":"192.168.120.168","client_port":51299,"server":"192.168.120.240:21","server_ip":"192.168.120.240","server_port":21,"command":"LIST","arg":"","path":"","mode":"active","announce":"PORT 192,168,120,168,200,100","data_id":1,"orig":"192.168.120.240:20","orig_ip":"192.168.120.240","orig_port":20,"resp":"192.168.120.168:51300","resp_ip":"192.168.120.168","resp_port":51300,"direction":"listing","bytes":201,"end":"2008-11-05T10:00:08.454200000Z","reply_code":226,"complete":true,"sha256":"24eb96da7a6419fc26d4afbaef2156236e5476c46379e9148b7ae77460e189c5","verdict":"complete"}`,
	"credential": `{"type":"credential","ts":"2008-11-05T10:00:02.843950000Z","session":1,"uid":"C0VsUWADXgFcQIABLJ","step":8,"client":"192.168.120.168:51299","client_ip":"192.168.120.168","client_port":51299,"server":"192.168.120.240:21","server_ip":"192.168.120.240","server_port":21,"user":"yuanbin","password":"123456","outcome":"accepted","cleartext":true,"password_sent":true}`,
	"finding":    `{"type":"finding","ts":"2008-11-05T10:00:04.975050000Z","session":1,"uid":"C0VsUWADXgFcQIABLJ","file":"a.pcap","step":8,"client":"192.168.120.168:51299","client_ip":"192.168.120.168","client_port":51299,"server":"192.168.120.240:21","server_ip":"192.168.120.240","server_port":21,"severity":"critical","kind":"cleartext-password","detail":"the password of user \"yuanbin\" crossed the network unencrypted"}`,
	"summary":    `{"type":"summary","ts":"2008-11-05T10:00:00.000000000Z","schema":1,"files":["testdata/pcaps/article-active.pcap"],"packets":37,"bytes":2632,"sessions":1,"transfers":1,"warnings":[],"partial":false}`,
}

// edit returns the record with field k set to v (deleted when v is nil).
func edit(t *testing.T, record, k string, v any) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(record), &m); err != nil {
		t.Fatal(err)
	}
	if v == nil {
		delete(m, k)
	} else {
		m[k] = v
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestSchemaIsStrict: the records ftptrace writes pass; an unknown or
// misspelt field, a missing one, a value of the wrong type or outside the
// vocabulary fails, in every record type.
func TestSchemaIsStrict(t *testing.T) {
	for typ, rec := range valid {
		if err := schema.Check([]byte(rec)); err != nil {
			t.Errorf("%s: a record as ftptrace writes it fails:\n%v", typ, err)
		}
		for _, c := range []struct {
			what, key string
			value     any
		}{
			{"an unknown field", "colour", "blue"},
			{"the old name of the time", "time", "2008-11-05T10:00:00.000000000Z"},
			{"a misspelt field", "tss", "2008-11-05T10:00:00.000000000Z"},
			{"no type", "type", nil},
			{"no ts", "ts", nil},
			{"a ts without nanoseconds", "ts", "2008-11-05T10:00:00Z"},
			{"a ts in another zone", "ts", "2008-11-05T11:00:00.000000000+01:00"},
			{"an unknown type", "type", "packet"},
		} {
			if typ == "summary" && c.what == "no ts" {
				continue // a run that found no session has no time to give
			}
			if err := schema.Check(edit(t, rec, c.key, c.value)); err == nil {
				t.Errorf("%s with %s (%s) passes", typ, c.what, c.key)
			}
		}
	}
	for _, c := range []struct {
		typ, key string
		value    any
	}{
		{"session", "id", 1}, // the old name of session
		{"session", "uid", nil},
		{"session", "uid", "Cshort"},
		{"session", "session", 0},
		{"session", "login", "maybe"},
		{"session", "client_port", 70000},
		{"step", "code", 220}, // the old name of reply_code
		{"step", "text", "ok"},
		{"step", "kind", "packet"},
		{"step", "from", "192.168.120.168"}, // no port
		{"step", "sender", "server "},
		{"command", "reply_code", "226"},
		{"transfer", "id", 1},
		{"transfer", "status", 226},
		{"transfer", "verdict", "done"},
		{"transfer", "sha256", "24EB"},
		{"transfer", "transfer", nil},
		{"credential", "outcome", "maybe"},
		{"credential", "password", nil},
		{"finding", "severity", "high"},
		{"finding", "kind", "cleartext"},
		{"summary", "schema", 2},
		{"summary", "schema", nil},
		{"summary", "session", 1},
		{"summary", "warnings", "none"},
	} {
		if err := schema.Check(edit(t, valid[c.typ], c.key, c.value)); err == nil {
			t.Errorf("%s with %s = %v passes", c.typ, c.key, c.value)
		}
	}
}

// TestSchemaVersion: the schema's version is the one the writer writes.
func TestSchemaVersion(t *testing.T) {
	var s struct {
		Title string `json:"title"`
		Defs  struct {
			Summary struct {
				Properties struct {
					Schema struct {
						Const int `json:"const"`
					} `json:"schema"`
				} `json:"properties"`
			} `json:"summary"`
		} `json:"$defs"`
	}
	if err := json.Unmarshal(schema.JSON, &s); err != nil {
		t.Fatal(err)
	}
	if v := s.Defs.Summary.Properties.Schema.Const; v != report.SchemaVersion || !strings.HasSuffix(s.Title, "version "+strconv.Itoa(v)) {
		t.Errorf("schema version %d (%q), the writer writes %d", v, s.Title, report.SchemaVersion)
	}
}
