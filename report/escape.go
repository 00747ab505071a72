// Package report renders what the analyzer found for people and programs:
// the numbered timeline, JSON Lines, tables and summaries.
package report

import (
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
