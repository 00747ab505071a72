package report

import (
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzZeekString: whatever a capture carries, a Zeek field is one field
// (no separator, no line break, no raw control or bidirectional
// character), and \xNN unescaping gives the original bytes back.
func FuzzZeekString(f *testing.F) {
	for _, s := range []string{"", "-", "(empty)", "a\tb\nc", "x\\x41", "\x1b[31m\u202eevil", "a,b", "\xff\xfe", "日本語"} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, s string, inSet bool) {
		out := string(appendZeekString(nil, s, inSet))
		if strings.ContainsAny(out, "\t\n\r") || (inSet && strings.Contains(out, ",")) {
			t.Fatalf("%q written as %q holds a separator", s, out)
		}
		for _, r := range out {
			if UnsafeRune(r) || r == utf8.RuneError && !strings.ContainsRune(s, utf8.RuneError) {
				t.Fatalf("%q written as %q holds %U", s, out, r)
			}
		}
		if s == "" {
			if out != zeekEmptyField {
				t.Fatalf("the empty string written as %q", out)
			}
			return
		}
		if out == zeekUnsetField || out == zeekEmptyField {
			t.Fatalf("%q reads as a marker: %q", s, out)
		}
		var b strings.Builder
		for i := 0; i < len(out); i++ {
			if out[i] == '\\' {
				v, err := strconv.ParseUint(out[i+2:i+4], 16, 8)
				if out[i+1] != 'x' || err != nil {
					t.Fatalf("%q written as %q: a backslash that is no \\xNN", s, out)
				}
				b.WriteByte(byte(v))
				i += 3
				continue
			}
			b.WriteByte(out[i])
		}
		if b.String() != s {
			t.Fatalf("%q written as %q reads back as %q", s, out, b.String())
		}
	})
}

// FuzzZeekPath: the working directory Zeek follows is made of replies and
// arguments a capture chooses; building its URLs never panics and never
// leaves the URL's host.
func FuzzZeekPath(f *testing.F) {
	f.Add(".", "pub/../x", `257 "/home/ftp" is the current directory`)
	f.Add("/", "C:\\dir", `257 "C:/x"`)
	f.Add("", "../../..", "257 /a\\ b c")
	f.Fuzz(func(t *testing.T, dir, arg, reply string) {
		for _, cwd := range []zeekCWD{zeekCWD(zeekCompressPath(zeekBuildPath(dir, arg))), zeekCWD(zeekExtractPath(reply))} {
			url := cwd.url(netip.MustParseAddr("192.0.2.1"), arg)
			if !strings.HasPrefix(url, "ftp://192.0.2.1/") {
				t.Fatalf("dir %q arg %q reply %q: URL %q", dir, arg, reply, url)
			}
		}
	})
}
