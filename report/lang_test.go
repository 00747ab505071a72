package report

import (
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
