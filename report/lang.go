package report

import (
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
)

// Catalogue maps each English message template of the timeline, the
// conclusions, the findings and the table headers to another language.
// Adding a language means adding one file with one Catalogue that
// registers itself in init (see zh.go).
type Catalogue map[string]string

var catalogues = map[string]Catalogue{"en": nil}

var (
	current Catalogue
	missMu  sync.Mutex
	misses  map[string]bool // templates the current catalogue lacks
)

// Languages lists the language codes --lang accepts.
func Languages() []string {
	var out []string
	for code := range catalogues {
		out = append(out, code)
	}
	sort.Strings(out)
	return out
}

// SetLanguage chooses the language of every sentence rendered afterwards.
func SetLanguage(code string) error {
	cat, ok := catalogues[code]
	if !ok {
		return fmt.Errorf("--lang %q: ftptrace speaks %s", code, strings.Join(Languages(), ", "))
	}
	current = cat
	missMu.Lock()
	misses = nil
	missMu.Unlock()
	return nil
}

// LanguageFromEnv picks the language from LANG / LC_ALL / LC_MESSAGES
// ("zh_CN.UTF-8" gives "zh"), English otherwise.
func LanguageFromEnv() string {
	for _, v := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if val := os.Getenv(v); val != "" {
			if strings.HasPrefix(val, "zh") {
				return "zh"
			}
			return "en"
		}
	}
	return "en"
}

// Missing lists the templates rendered since SetLanguage that the current
// catalogue does not translate (they were shown in English).
func Missing() []string {
	missMu.Lock()
	defer missMu.Unlock()
	var out []string
	for m := range misses {
		out = append(out, m)
	}
	sort.Strings(out)
	return out
}

// tr translates a template and fills it in, like fmt.Sprintf.
func tr(format string, args ...any) string {
	if current != nil {
		if t, ok := current[format]; ok {
			format = t
		} else {
			missMu.Lock()
			if misses == nil {
				misses = map[string]bool{}
			}
			misses[format] = true
			missMu.Unlock()
		}
	}
	if len(args) == 0 {
		return format
	}
	return fmt.Sprintf(format, args...)
}
