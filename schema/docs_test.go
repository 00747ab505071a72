package schema_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ftptrace/ftptrace/schema"
)

var update = flag.Bool("update", false, "rewrite the field reference in docs/JSON.md from the schema")

// The field reference of docs/JSON.md lies between these lines.
const (
	refBegin = "<!-- The field reference below is made from schema/ftptrace.schema.json by `go test ./schema -update`: edit the schema, not this. -->\n"
	refEnd   = "<!-- End of the field reference. -->\n"
)

// TestDocsListEveryField: docs/JSON.md's field reference is the schema's,
// record type by record type, field by field (go test ./schema -update
// writes it again after a change of the schema).
func TestDocsListEveryField(t *testing.T) {
	path := filepath.Join(root, "docs", "JSON.md")
	doc, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	begin, end := bytes.Index(doc, []byte(refBegin)), bytes.Index(doc, []byte(refEnd))
	if begin < 0 || end < begin {
		t.Fatalf("%s has no field reference between %q and %q", path, refBegin, refEnd)
	}
	want := fieldReference(t)
	got := string(doc[begin+len(refBegin) : end])
	if got == want {
		return
	}
	if *update {
		out := slices.Concat(doc[:begin+len(refBegin)], []byte(want), doc[end:])
		if err := os.WriteFile(path, out, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("the field reference in %s is not the schema's: run go test ./schema -update and read the diff", path)
}

// property is what the reference reads of a field's schema.
type property struct {
	Ref         string          `json:"$ref"`
	Description string          `json:"description"`
	Type        string          `json:"type"`
	Const       any             `json:"const"`
	Enum        []string        `json:"enum"`
	AnyOf       []property      `json:"anyOf"`
	Items       *record         `json:"items"`
	Properties  json.RawMessage `json:"properties"` // in field order, unlike a map
	Required    []string        `json:"required"`
}

type record = property

// fieldNames lists the keys of a JSON object in their order.
func fieldNames(t *testing.T, obj json.RawMessage) []string {
	dec := json.NewDecoder(bytes.NewReader(obj))
	var names []string
	depth := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			depth++
			continue
		case json.Delim('}'), json.Delim(']'):
			depth--
			continue
		}
		if k, ok := tok.(string); ok && depth == 1 {
			names = append(names, k)
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				t.Fatal(err)
			}
		}
	}
	return names
}

// typeNames are the shared definitions by the name the reference gives
// their values.
var typeNames = map[string]string{
	"ts": "time", "endpoint": "ip:port", "ip": "IP address", "port": "port", "session_number": "integer",
	"uid": "uid", "file": "string", "reply_code": "reply code",
}

func fieldReference(t *testing.T) string {
	var s struct {
		Properties struct {
			Type struct {
				Enum []string `json:"enum"`
			} `json:"type"`
		} `json:"properties"`
		Defs map[string]json.RawMessage `json:"$defs"`
	}
	if err := json.Unmarshal(schema.JSON, &s); err != nil {
		t.Fatal(err)
	}
	def := func(name string) property {
		var p property
		if err := json.Unmarshal(s.Defs[name], &p); err != nil {
			t.Fatalf("$defs/%s: %v", name, err)
		}
		return p
	}
	var b strings.Builder
	for _, typ := range s.Properties.Type.Enum {
		rec := def(typ)
		fmt.Fprintf(&b, "\n### `%s`\n\n%s\n\n| field | value | always there | meaning |\n|---|---|---|---|\n", typ, rec.Description)
		rows(t, &b, "", rec, def)
	}
	return b.String()
}

// rows writes a table row for each field of rec, and rows for the fields
// of objects in its arrays (prefix "list[].").
func rows(t *testing.T, b *strings.Builder, prefix string, rec record, def func(string) property) {
	var props map[string]json.RawMessage
	if err := json.Unmarshal(rec.Properties, &props); err != nil {
		t.Fatal(err)
	}
	for _, name := range fieldNames(t, rec.Properties) {
		var p property
		if err := json.Unmarshal(props[name], &p); err != nil {
			t.Fatal(err)
		}
		value, meaning := describe(p, def)
		always := ""
		if slices.Contains(rec.Required, name) {
			always = "yes"
		}
		fmt.Fprintf(b, "| `%s%s` | %s | %s | %s |\n", prefix, name, value, always, meaning)
		if p.Items != nil && p.Items.Properties != nil {
			rows(t, b, prefix+name+"[].", *p.Items, def)
		}
	}
}

// describe says what values a field takes and what it means.
func describe(p property, def func(string) property) (value, meaning string) {
	meaning = p.Description
	if p.Ref != "" {
		name := strings.TrimPrefix(p.Ref, "#/$defs/")
		d := def(name)
		if meaning == "" {
			meaning = d.Description
		}
		value = typeNames[name]
		if value == "" {
			value = name
		}
		return value, escapeCell(meaning)
	}
	switch {
	case p.Const != nil:
		c, _ := json.Marshal(p.Const)
		value = "`" + string(c) + "`"
	case len(p.AnyOf) > 0:
		var alts []string
		for _, a := range p.AnyOf {
			v, _ := describe(a, def)
			alts = append(alts, v)
		}
		value = strings.Join(alts, " or ")
	case p.Type == "array" && p.Items != nil && p.Items.Properties != nil:
		value = "array of objects"
	case p.Type == "array" && p.Items != nil:
		value = "array of " + p.Items.Type + "s"
	default:
		value = p.Type
	}
	if len(p.Enum) > 0 {
		quoted := make([]string, len(p.Enum))
		for i, e := range p.Enum {
			quoted[i] = "`" + e + "`"
		}
		meaning += " One of " + strings.Join(quoted, ", ") + "."
	}
	return value, escapeCell(meaning)
}

// escapeCell keeps a text inside its Markdown table cell.
func escapeCell(s string) string { return strings.ReplaceAll(s, "|", "\\|") }
