package report_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
)

// This is a reader of Zeek's logs written from Zeek's documentation of its
// formats (docs.zeek.org, "Log Formats": the ASCII/TSV writer and its JSON
// mode), not from ftptrace's writer: it checks what another tool reading
// ftptrace's ftp.log, files.log and conn.log would find.
//
// TSV: header lines begin with '#': "#separator" gives the field
// separator as an escape sequence (\x09), then "#<key><sep><value>" lines
// (set_separator, empty_field, unset_field, path, open, fields, types),
// then one record per line, its fields split by the separator, and a
// "#close" line. A field's bytes that could be read as structure are
// written \xHH. A field equal to unset_field has no value; one equal to
// empty_field is an empty string or set. Sets list their elements split by
// set_separator.

type zeekTSV struct {
	path, open, close string
	fields, types     []string
	meta              map[string]string
	records           []map[string]zeekField
}

// zeekField is one value as read: unset, or its unescaped text (and its
// elements for a set).
type zeekField struct {
	unset bool
	text  string
	set   []string
}

// btestMaskedTime is how Zeek's test baselines show a time they mask.
const btestMaskedTime = "XXXXXXXXXX.XXXXXX"

var (
	zeekTime     = regexp.MustCompile(`^[0-9]+\.[0-9]{6}$`)
	zeekInterval = regexp.MustCompile(`^[0-9]+\.[0-9]{6}$`)
)

// readZeekTSV reads every log in r (a stream may hold several one after
// the other, each from its #separator line to its #close line).
func readZeekTSV(r io.Reader) ([]*zeekTSV, error) {
	var logs []*zeekTSV
	var cur *zeekTSV
	sep := ""
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if strings.HasPrefix(line, "#separator ") {
			s, err := unescapeZeek(strings.TrimPrefix(line, "#separator "))
			if err != nil {
				return nil, fmt.Errorf("line %d: separator: %v", n, err)
			}
			sep = s
			cur = &zeekTSV{meta: map[string]string{}}
			logs = append(logs, cur)
			continue
		}
		if cur == nil {
			return nil, fmt.Errorf("line %d: %q before any #separator line", n, line)
		}
		if strings.HasPrefix(line, "#") {
			key, value, ok := strings.Cut(line[1:], sep)
			if !ok {
				continue // a masked or unknown header line
			}
			cur.meta[key] = value
			switch key {
			case "path":
				cur.path = value
			case "open":
				cur.open = value
			case "close":
				cur.close = value
			case "fields":
				cur.fields = strings.Split(value, sep)
			case "types":
				cur.types = strings.Split(value, sep)
			}
			continue
		}
		if cur.close != "" {
			return nil, fmt.Errorf("line %d: a record after #close", n)
		}
		if len(cur.fields) == 0 || len(cur.fields) != len(cur.types) {
			return nil, fmt.Errorf("line %d: a record before #fields and #types of the same length", n)
		}
		parts := strings.Split(line, sep)
		if len(parts) != len(cur.fields) {
			return nil, fmt.Errorf("line %d: %d fields, the header names %d", n, len(parts), len(cur.fields))
		}
		rec := map[string]zeekField{}
		for i, raw := range parts {
			f, err := readZeekField(raw, cur.types[i], cur.meta)
			if err != nil {
				return nil, fmt.Errorf("line %d, field %s: %v", n, cur.fields[i], err)
			}
			rec[cur.fields[i]] = f
		}
		cur.records = append(cur.records, rec)
	}
	return logs, sc.Err()
}

func readZeekField(raw, typ string, meta map[string]string) (zeekField, error) {
	if raw == meta["unset_field"] {
		return zeekField{unset: true}, nil
	}
	if raw == meta["empty_field"] {
		return zeekField{}, nil
	}
	if strings.HasPrefix(typ, "set[") || strings.HasPrefix(typ, "table[") || strings.HasPrefix(typ, "vector[") {
		var f zeekField
		for _, e := range strings.Split(raw, meta["set_separator"]) {
			s, err := unescapeZeek(e)
			if err != nil {
				return f, err
			}
			f.set = append(f.set, s)
		}
		f.text = strings.Join(f.set, ",")
		return f, nil
	}
	text, err := unescapeZeek(raw)
	if err != nil {
		return zeekField{}, err
	}
	switch typ {
	case "time":
		if text == btestMaskedTime {
			break
		}
		if !zeekTime.MatchString(text) {
			return zeekField{}, fmt.Errorf("time %q is not seconds with six decimals", text)
		}
	case "interval":
		if !zeekInterval.MatchString(text) {
			return zeekField{}, fmt.Errorf("interval %q is not seconds with six decimals", text)
		}
	case "addr":
		if _, err := netip.ParseAddr(text); err != nil {
			return zeekField{}, err
		}
	case "port":
		if _, err := strconv.ParseUint(text, 10, 16); err != nil {
			return zeekField{}, fmt.Errorf("port %q: %v", text, err)
		}
	case "count":
		if _, err := strconv.ParseUint(text, 10, 64); err != nil {
			return zeekField{}, fmt.Errorf("count %q: %v", text, err)
		}
	case "bool":
		if text != "T" && text != "F" {
			return zeekField{}, fmt.Errorf("bool %q is neither T nor F", text)
		}
	case "string", "enum", "file":
	default:
		return zeekField{}, fmt.Errorf("type %q unknown", typ)
	}
	return zeekField{text: text}, nil
}

// unescapeZeek turns \xHH back into its byte; any other backslash is an
// error, as the writer escapes the backslash itself.
func unescapeZeek(s string) (string, error) {
	if !strings.Contains(s, `\`) {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			b.WriteByte(s[i])
			continue
		}
		if i+4 > len(s) || s[i+1] != 'x' {
			return "", fmt.Errorf("a lone backslash in %q", s)
		}
		v, err := strconv.ParseUint(s[i+2:i+4], 16, 8)
		if err != nil {
			return "", fmt.Errorf("bad escape in %q", s)
		}
		b.WriteByte(byte(v))
		i += 3
	}
	return b.String(), nil
}

// readZeekJSON reads Zeek's JSON logs: one object per line, each key a
// field name of the log ("id.orig_h" flat, not nested), unset fields left
// out; with several logs in one stream, "_path" names each record's.
func readZeekJSON(r io.Reader, fields map[string][]string) (map[string][]map[string]any, error) {
	out := map[string][]map[string]any{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for n := 1; sc.Scan(); n++ {
		var rec map[string]any
		d := json.NewDecoder(strings.NewReader(sc.Text()))
		d.UseNumber()
		if err := d.Decode(&rec); err != nil {
			return nil, fmt.Errorf("line %d: %v", n, err)
		}
		path, _ := rec["_path"].(string)
		known, ok := fields[path]
		if !ok {
			return nil, fmt.Errorf("line %d: _path %q unknown", n, path)
		}
		for k := range rec {
			if k != "_path" && !contains(known, k) {
				return nil, fmt.Errorf("line %d: field %q is not a field of %s.log", n, k, path)
			}
		}
		if _, ok := rec["ts"].(json.Number); !ok {
			return nil, fmt.Errorf("line %d: ts %v is not a number", n, rec["ts"])
		}
		out[path] = append(out[path], rec)
	}
	return out, sc.Err()
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
