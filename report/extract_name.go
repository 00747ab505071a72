package report

import (
	"fmt"
	"strings"

	"github.com/ftptrace/ftptrace/analyzer"
)

// FullLength is the length of a transfer's whole payload as far as the
// capture tells: the bytes that crossed the wire (Transfer.Bytes, which
// counts those the capture missed too), or the size the server announced
// for a download when more (the capture ended first).
func FullLength(t *analyzer.Transfer) int64 {
	n := t.Bytes
	if t.Direction == "download" && !t.TypeA && t.Announced-t.Rest > n {
		n = t.Announced - t.Rest
	}
	return n
}

// ExtractName is the file name of a transfer's payload: session, transfer,
// the server path flattened to safe characters, and a suffix when the
// payload is not the whole file.
func ExtractName(session int, t *analyzer.Transfer) string {
	path := t.Path
	if path == "" {
		path = t.Arg
	}
	name := fmt.Sprintf("s%d-t%d-%s", session, t.ID, safeName(path))
	switch t.Verdict {
	case "complete":
	case "partial":
		name += fmt.Sprintf(".partial-from-%d", t.Rest)
	case "appended":
		name += ".appended"
	default:
		name += "." + strings.ReplaceAll(t.Verdict, " ", "-")
	}
	return name
}

// safeName flattens a server path into one file name of letters, digits,
// '.', '-' and '_': no separator, no leading dot, no control byte survives.
func safeName(path string) string {
	var b strings.Builder
	for _, r := range path {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	s := strings.TrimLeft(b.String(), "._")
	for strings.Contains(s, "__") {
		s = strings.ReplaceAll(s, "__", "_")
	}
	if len(s) > maxNameBytes {
		s = s[len(s)-maxNameBytes:]
		s = strings.TrimLeft(s, "._")
	}
	if s == "" {
		return "unnamed"
	}
	return s
}
