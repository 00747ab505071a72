package report

import (
	"testing"

	"github.com/mattn/go-runewidth"
)

// TestTextWidthIsRunewidths: the ASCII shortcut measures every cell as
// runewidth does, at the edges of printable ASCII and beyond it.
func TestTextWidthIsRunewidths(t *testing.T) {
	for _, s := range []string{"", "a", " ", "~", "192.0.2.1:21", "\x1f", "a\x7fb", "\x00", "é", "漢字", "a\u0301",
		"\U0001F600", "\u200b", "\t", "ab\xffcd", "\u2028", "[2001:db8::1]:21", "-- \x1b[31m"} {
		if got, want := textWidth(s), runewidth.StringWidth(s); got != want {
			t.Errorf("textWidth(%q) = %d, runewidth says %d", s, got, want)
		}
	}
}
