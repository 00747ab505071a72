package report

import (
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// The text views show bytes from the capture through Clean: C1 controls
// and bidirectional controls must come out escaped, as C0 controls do.
func TestCleanEscapesC1AndBidi(t *testing.T) {
	for in, want := range map[string]string{
		"220 \u009b2J ready":          `220 \x9b2J ready`,
		"a\u0085b\u009fc\u00a0d":      `a\x85b\x9fc\xa0d`, // NBSP too: it looks like a space
		"evil\u202etxt.exe":           `evil\u202etxt.exe`,
		"\u202a\u202b\u202c\u202d":    `\u202a\u202b\u202c\u202d`,
		"\u2066x\u2067y\u2068z\u2069": `\u2066x\u2067y\u2068z\u2069`,
		"line\u2028sep\u2029":         `line\u2028sep\u2029`,
		"é漢字":                         "é漢字",
	} {
		if got := Clean(in); got != want {
			t.Errorf("Clean(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestEscapeUnsafe(t *testing.T) {
	for in, want := range map[string]string{
		"":                  "",
		"plain text, 100%":  "plain text, 100%",
		`C:\dir`:            `C:\\dir`,
		"tab\there\nnext\r": `tab\u0009here\u000anext\u000d`,
		"\x1b[31mred\x7f":   `\u001b[31mred\u007f`,
		"\u009b2J\u0085":    `\u009b2J\u0085`,
		"abc\u202etxt.exe":  `abc\u202etxt.exe`,
		"\u2066\u2067\u2068\u2069\u202a\u202b\u202c\u202d": `\u2066\u2067\u2068\u2069\u202a\u202b\u202c\u202d`,
		"\u2028\u2029":              `\u2028\u2029`,
		"\u00a0é漢字\U0001F600\u200f": "\u00a0é漢字\U0001F600\u200f",
		"bad \xff\xc2 utf8":         `bad \xff\xc2 utf8`,
	} {
		if got := EscapeUnsafe(in); got != want {
			t.Errorf("EscapeUnsafe(%q) = %q, want %q", in, got, want)
		}
	}
}

// unescapeUnsafe undoes EscapeUnsafe.
func unescapeUnsafe(t *testing.T, s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			b.WriteByte(s[i])
			continue
		}
		switch {
		case i+1 < len(s) && s[i+1] == '\\':
			b.WriteByte('\\')
			i++
		case i+3 < len(s) && s[i+1] == 'x':
			v, err := strconv.ParseUint(s[i+2:i+4], 16, 8)
			if err != nil {
				t.Fatalf("bad escape in %q", s)
			}
			b.WriteByte(byte(v))
			i += 3
		case i+5 < len(s) && s[i+1] == 'u':
			v, err := strconv.ParseUint(s[i+2:i+6], 16, 16)
			if err != nil {
				t.Fatalf("bad escape in %q", s)
			}
			b.WriteRune(rune(v))
			i += 5
		default:
			t.Fatalf("lone backslash in %q", s)
		}
	}
	return b.String()
}

// FuzzEscapeUnsafe: whatever the bytes, the result is valid UTF-8 without
// an unsafe rune, and reads back as the original.
func FuzzEscapeUnsafe(f *testing.F) {
	for _, s := range []string{"", "a\\b", "\x00\t\n\x1b\x7f", "\u009b\u202e\u2069", "\xff\xe2\x80", "é\\u0041"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := EscapeUnsafe(s)
		if !utf8.ValidString(got) {
			t.Fatalf("EscapeUnsafe(%q) = %q: invalid UTF-8", s, got)
		}
		for _, r := range got {
			if UnsafeRune(r) {
				t.Fatalf("EscapeUnsafe(%q) = %q: %U left raw", s, got, r)
			}
		}
		if back := unescapeUnsafe(t, got); back != s {
			t.Fatalf("EscapeUnsafe(%q) = %q reads back as %q", s, got, back)
		}
	})
}
