// Package report renders what the analyzer found for people and programs:
// the numbered timeline, JSON Lines, tables and summaries.
package report

import (
	"io"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Clean makes bytes from a capture safe to print on a terminal: control
// characters (escape sequences included) and invalid UTF-8 are shown as
// \xNN, so a hostile banner cannot move the cursor or change colours.
func Clean(s string) string {
	if isClean(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			writeHex(&b, s[i])
		case r == '\\':
			b.WriteString(`\\`)
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || !unicode.IsPrint(r) && r != ' ':
			if r < 0x100 {
				writeHex(&b, byte(r))
			} else {
				b.WriteString(`\u`)
				b.WriteString(strconv.FormatInt(int64(r), 16))
			}
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

func isClean(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= 0x7f || c == '\\' {
			return false
		}
	}
	return true
}

func writeHex(b *strings.Builder, c byte) {
	const hex = "0123456789abcdef"
	b.WriteString(`\x`)
	b.WriteByte(hex[c>>4])
	b.WriteByte(hex[c&15])
}

// CleanLines cleans each line of a multi-line text and keeps the newlines.
func CleanLines(s string) []string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = Clean(l)
	}
	return lines
}

// UnsafeRune tells whether r, written raw, can drive a terminal or reorder
// the text around it: C0 and C1 control characters and DEL (ESC starts a
// terminal sequence, and U+009B is CSI by itself on terminals that take
// 8-bit controls), the bidirectional embeddings, overrides and isolates
// (U+202A-U+202E, U+2066-U+2069: "Trojan Source", which make a viewer show
// text in another order than it is), and the line and paragraph
// separators U+2028 and U+2029 (line breaks to some viewers).
func UnsafeRune(r rune) bool {
	switch {
	case r < 0x20, r >= 0x7f && r < 0xa0:
		return true
	case r >= 0x2028 && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true
	}
	return false
}

// EscapeUnsafe returns s with every UnsafeRune written as \uXXXX, a
// backslash as \\ and each byte of invalid UTF-8 as \xNN; all else is kept
// as it is. It is for the outputs that, unlike JSON, have no escaping of
// their own for such characters (CSV, TSV, Zeek logs): a field read back
// is the original once unescaped, and printing it can neither move the
// cursor nor reorder a line, nor split a row (tab and newline are
// escaped too).
func EscapeUnsafe(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '\\' {
			return string(AppendEscapeUnsafe(make([]byte, 0, len(s)+8), s))
		}
	}
	return s
}

// AppendEscapeUnsafe appends EscapeUnsafe(s) to b.
func AppendEscapeUnsafe(b []byte, s string) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c < 0x7f {
			if c == '\\' {
				b = append(b, '\\')
			}
			b = append(b, c)
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			b = append(b, '\\', 'x', hexDigits[c>>4], hexDigits[c&0xf])
		case UnsafeRune(r):
			b = appendUEscape(b, r)
		default:
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return b
}

// appendUEscape appends \uXXXX for a rune of the Basic Multilingual Plane.
func appendUEscape(b []byte, r rune) []byte {
	return append(b, '\\', 'u', hexDigits[r>>12&0xf], hexDigits[r>>8&0xf], hexDigits[r>>4&0xf], hexDigits[r&0xf])
}

// jsonUnsafe tells whether a rune that encoding/json writes raw must be
// escaped all the same: the C1 controls and the bidirectional controls of
// UnsafeRune (encoding/json escapes the C0 controls, U+2028 and U+2029
// itself).
func jsonUnsafe(r rune) bool {
	return r >= 0x80 && r < 0xa0 || r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069
}

// jsonUnsafeAt reads the rune at p[i] of JSON that encoding/json wrote
// when jsonUnsafe names it (size 0 otherwise). encoding/json writes valid
// UTF-8, so the lead byte and what follows it are enough: U+0080-U+009F
// are C2 80-C2 9F, U+202A-U+202E are E2 80 AA-E2 80 AE, U+2066-U+2069 are
// E2 81 A6-E2 81 A9.
func jsonUnsafeAt(p []byte, i int) (r rune, size int) {
	switch c := p[i]; {
	case c == 0xc2 && i+1 < len(p) && p[i+1] >= 0x80 && p[i+1] <= 0x9f:
		return rune(p[i+1]), 2
	case c == 0xe2 && i+2 < len(p) && p[i+1] == 0x80 && p[i+2] >= 0xaa && p[i+2] <= 0xae:
		return 0x2000 | rune(p[i+2]&0x3f), 3
	case c == 0xe2 && i+2 < len(p) && p[i+1] == 0x81 && p[i+2] >= 0xa6 && p[i+2] <= 0xa9:
		return 0x2040 | rune(p[i+2]&0x3f), 3
	}
	return 0, 0
}

// escapeJSONUnsafe appends p, JSON written by encoding/json, to b with
// every rune jsonUnsafe names escaped as \uXXXX. Such runes can only be
// inside strings (the rest of JSON is ASCII), so escaping them wherever
// they are keeps the JSON valid and its values the same.
func escapeJSONUnsafe(b, p []byte) []byte {
	start := 0
	for i := 0; i < len(p); i++ {
		if r, size := jsonUnsafeAt(p, i); size > 0 {
			b = append(b, p[start:i]...)
			b = appendUEscape(b, r)
			i += size - 1
			start = i + 1
		}
	}
	return append(b, p[start:]...)
}

// hasJSONUnsafe tells whether escapeJSONUnsafe would change p.
func hasJSONUnsafe(p []byte) bool {
	for i := range p {
		if _, size := jsonUnsafeAt(p, i); size > 0 {
			return true
		}
	}
	return false
}

// safeJSONWriter passes on what encoding/json writes with the runes of
// jsonUnsafe escaped. json.Encoder writes each record in one Write, so no
// rune is split between two.
type safeJSONWriter struct {
	w   io.Writer
	buf []byte
}

func (s *safeJSONWriter) Write(p []byte) (int, error) {
	if !hasJSONUnsafe(p) {
		return s.w.Write(p)
	}
	s.buf = escapeJSONUnsafe(s.buf[:0], p)
	if _, err := s.w.Write(s.buf); err != nil {
		return 0, err
	}
	return len(p), nil
}
