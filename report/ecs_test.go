package report_test

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ftptrace/ftptrace/analyzer"
	"github.com/ftptrace/ftptrace/report"
)

// ecsField is a field of ECS's published list (testdata/ecs/fields.csv,
// which names its source).
type ecsField struct {
	typ   string
	array bool
}

func ecsFields(t *testing.T) map[string]ecsField {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "ecs", "fields.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.Comment = '#'
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	fields := map[string]ecsField{}
	for _, row := range rows[1:] {
		fields[row[2]] = ecsField{typ: row[3], array: row[5] == "array"}
	}
	return fields
}

// ecsAllowed are the allowed values of the categorization fields, from
// ECS's reference ("ECS Categorization Fields": event.kind,
// event.category, event.type, event.outcome).
var ecsAllowed = map[string][]string{
	"event.kind": {"alert", "asset", "enrichment", "event", "metric", "state", "pipeline_error", "signal"},
	"event.category": {"api", "authentication", "configuration", "database", "driver", "email", "file", "host", "iam",
		"intrusion_detection", "library", "malware", "network", "package", "process", "registry", "session", "threat",
		"vulnerability", "web"},
	"event.outcome": {"failure", "success", "unknown"},
}

// ecsTypesOf are the event.type values ECS expects with each category
// this output uses.
var ecsTypesOf = map[string][]string{
	"authentication":      {"start", "end", "info"},
	"file":                {"access", "change", "creation", "deletion", "info"},
	"network":             {"access", "allowed", "connection", "denied", "end", "info", "protocol", "start"},
	"intrusion_detection": {"allowed", "denied", "info", "start"},
}

// ecsDocs writes the sessions as ECS documents and reads each line back.
func ecsDocs(t *testing.T, sessions []*analyzer.Session) []map[string]any {
	t.Helper()
	var b bytes.Buffer
	w := report.NewECSWriter(&b, report.ECSOptions{})
	for _, s := range sessions {
		if err := w.Session(s); err != nil {
			t.Fatal(err)
		}
	}
	var docs []map[string]any
	sc := bufio.NewScanner(&b)
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		var d map[string]any
		dec := json.NewDecoder(strings.NewReader(sc.Text()))
		dec.UseNumber()
		if err := dec.Decode(&d); err != nil {
			t.Fatalf("not one JSON object a line: %v\n%s", err, sc.Text())
		}
		docs = append(docs, d)
	}
	return docs
}

// flatten lists the leaf fields of a document by their dotted names.
func flatten(prefix string, v any, out map[string]any) {
	m, ok := v.(map[string]any)
	if !ok {
		out[prefix] = v
		return
	}
	for k, x := range m {
		name := k
		if prefix != "" {
			name = prefix + "." + k
		}
		flatten(name, x, out)
	}
}

// TestECSFieldsAreECS writes every capture as ECS documents and checks
// each field name against ECS's field list, each value against the
// field's type, and the categorization fields against ECS's allowed
// values.
func TestECSFieldsAreECS(t *testing.T) {
	fields := ecsFields(t)
	seen := map[string]bool{}
	for _, path := range captures(t) {
		docs := ecsDocs(t, analyseFile(t, path))
		for i, d := range docs {
			flat := map[string]any{}
			flatten("", d, flat)
			for name, v := range flat {
				seen[name] = true
				f, ok := fields[name]
				if !ok {
					t.Errorf("%s doc %d: %s is not an ECS field", filepath.Base(path), i, name)
					continue
				}
				if err := checkECSValue(f, v); err != "" {
					t.Errorf("%s doc %d: %s: %s", filepath.Base(path), i, name, err)
				}
			}
			checkCategorization(t, filepath.Base(path), flat)
		}
	}
	for _, must := range []string{"event.kind", "event.category", "event.dataset", "source.ip", "destination.ip", "user.name",
		"file.path", "file.size", "file.hash.sha256", "tls.established", "rule.name", "event.severity", "url.password"} {
		if !seen[must] {
			t.Errorf("no document carries %s", must)
		}
	}
}

func checkECSValue(f ecsField, v any) string {
	if list, ok := v.([]any); ok {
		if !f.array {
			return "an array, where ECS expects one value"
		}
		for _, x := range list {
			if err := checkECSValue(ecsField{typ: f.typ}, x); err != "" {
				return err
			}
		}
		return ""
	}
	switch f.typ {
	case "keyword", "wildcard", "match_only_text", "text":
		if _, ok := v.(string); !ok {
			return "not a string"
		}
	case "long":
		n, ok := v.(json.Number)
		if _, err := n.Int64(); !ok || err != nil {
			return "not an integer"
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			return "not a boolean"
		}
	case "date":
		s, _ := v.(string)
		if _, err := time.Parse(time.RFC3339Nano, s); err != nil {
			return "not an RFC 3339 date"
		}
	case "ip":
		s, _ := v.(string)
		if _, err := netip.ParseAddr(s); err != nil {
			return "not an IP address"
		}
	default:
		return "of type " + f.typ + ", which ftptrace never writes"
	}
	return ""
}

func checkCategorization(t *testing.T, name string, flat map[string]any) {
	t.Helper()
	for field, allowed := range ecsAllowed {
		for _, v := range asList(flat[field]) {
			if !contains(allowed, v) {
				t.Errorf("%s: %s %q is not an allowed value", name, field, v)
			}
		}
	}
	for _, c := range asList(flat["event.category"]) {
		for _, typ := range asList(flat["event.type"]) {
			if !contains(ecsTypesOf[c], typ) {
				t.Errorf("%s: event.type %q is not one ECS expects with category %q", name, typ, c)
			}
		}
	}
	if flat["event.kind"] == "alert" && (flat["rule.name"] == nil || flat["event.severity"] == nil) {
		t.Errorf("%s: an alert without rule.name or event.severity", name)
	}
}

func asList(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, e := range x {
			s, _ := e.(string)
			out = append(out, s)
		}
		return out
	}
	return nil
}

// TestECSPasswordsFollowRedact: the clear-text password of the article's
// capture is in url.password, and masked once the sessions are redacted.
func TestECSPasswordsFollowRedact(t *testing.T) {
	path := filepath.Join("..", "testdata", "pcaps", "article-active.pcap")
	find := func(docs []map[string]any) string {
		for _, d := range docs {
			if u, ok := d["url"].(map[string]any); ok && u["password"] != nil {
				return u["password"].(string)
			}
		}
		return ""
	}
	if got := find(ecsDocs(t, analyseFile(t, path))); got != "123456" {
		t.Errorf("url.password %q, want the password sent, 123456", got)
	}
	sessions := analyseFile(t, path)
	report.Redact(sessions)
	docs := ecsDocs(t, sessions)
	if got := find(docs); got != report.Mask("123456") {
		t.Errorf("redacted url.password %q, want %q", got, report.Mask("123456"))
	}
	for _, d := range docs {
		b, _ := json.Marshal(d)
		if strings.Contains(string(b), "123456") {
			t.Errorf("the password is still in a redacted document: %s", b)
		}
	}
}

// TestCommunityID checks the flow hash against the vector of Zeek's own
// test of community_id_v1 (testing/btest/bifs/community_id: 1.2.3.4:1122 to
// 5.6.7.8:3344 over TCP, seed 0), both ways round.
func TestCommunityID(t *testing.T) {
	a, b := netip.MustParseAddrPort("1.2.3.4:1122"), netip.MustParseAddrPort("5.6.7.8:3344")
	const want = "1:wCb3OG7yAFWelaUydu0D+125CLM="
	if got := report.CommunityID(a, b); got != want {
		t.Errorf("CommunityID = %s, want %s", got, want)
	}
	if got := report.CommunityID(b, a); got != want {
		t.Errorf("the other way round: %s, want %s", got, want)
	}
}
