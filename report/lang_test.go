package report

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"
)

var verb = regexp.MustCompile(`%(\[\d+\])?[-+# 0]*\d*(\.\d+)?[a-zA-Z%]`)

// verbs lists a template's formatting verbs, without positions or widths.
func verbs(s string) string {
	var out []string
	for _, m := range verb.FindAllString(s, -1) {
		out = append(out, m[len(m)-1:])
	}
	sort.Strings(out)
	return strings.Join(out, "")
}

// TestCataloguesKeepTheVerbs checks that every translation formats the same
// arguments as its English template (a %d that became %s would print
// "%!s(int=5)").
func TestCataloguesKeepTheVerbs(t *testing.T) {
	for code, cat := range catalogues {
		for en, tr := range cat {
			want := verbs(en)
			if strings.HasPrefix(en, "#") {
				want = "d" // plural forms take the count
			}
			if want != verbs(tr) {
				t.Errorf("%s: %q has verbs %q, its translation %q has %q", code, en, verbs(en), tr, verbs(tr))
			}
		}
	}
}

func TestLanguageFromEnv(t *testing.T) {
	for _, tt := range []struct{ lang, want string }{{"zh_CN.UTF-8", "zh"}, {"en_US.UTF-8", "en"}, {"C", "en"}} {
		t.Setenv("LC_ALL", "")
		t.Setenv("LC_MESSAGES", "")
		t.Setenv("LANG", tt.lang)
		if got := LanguageFromEnv(); got != tt.want {
			t.Errorf("LANG=%s: %s, want %s", tt.lang, got, tt.want)
		}
	}
}

// FuzzFill: the templates' own formatter writes what fmt.Sprintf writes,
// whatever the template and however many arguments it is given.
func FuzzFill(f *testing.F) {
	f.Add("The %s opens port %d (%d bytes, 100%%).", "client", int64(-7), uint16(21), 3)
	f.Add("%[2]d %[1]s", "x", int64(1), uint16(2), 2)
	f.Add("%5d%", "", int64(0), uint16(0), 1)
	f.Add("%q %x %v", "a\x1b", int64(1<<40), uint16(65535), 3)
	f.Add("user %q, %q", "b\"o\\b\xff\u00e9\u202e\t", int64(2), uint16(3), 2)
	f.Add("%q %+q %#q %5q", "x`y", int64(0), uint16(0), 4)
	f.Fuzz(func(t *testing.T, format, s string, n int64, u uint16, count int) {
		args := []any{s, n, u, int(n), uint32(u), uint64(n), int32(n)}
		args = args[:max(0, min(count, len(args)))]
		if got, want := fill(format, args), fmt.Sprintf(format, args...); got != want {
			t.Errorf("fill(%q, %v) = %q, want %q", format, args, got, want)
		}
	})
}
