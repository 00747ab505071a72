package report

import (
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unsafe"
)

// Catalogue maps each English message template of the timeline, the
// conclusions, the findings and the table headers to another language.
// Adding a language means adding one file with one Catalogue that
// registers itself in init (see zh.go).
type Catalogue map[string]string

var catalogues = map[string]Catalogue{"en": nil}

var (
	current     Catalogue
	currentCode = "en"
	missMu      sync.Mutex
	misses      map[string]bool // templates the current catalogue lacks
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
	current, currentCode = cat, code
	missMu.Lock()
	misses = nil
	missMu.Unlock()
	return nil
}

// CurrentLanguage is the code of the language SetLanguage chose ("en",
// "zh"), for the HTML page's lang attribute.
func CurrentLanguage() string { return currentCode }

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
	format = translate(format)
	if len(args) == 0 {
		return format
	}
	return fill(format, args)
}

// appendTr is tr appending to dst: an explanation is made of several
// sentences, each written once into its buffer instead of into a string of
// its own first.
func appendTr(dst []byte, format string, args ...any) []byte {
	format = translate(format)
	if len(args) == 0 {
		return append(dst, format...)
	}
	return appendFill(dst, format, args)
}

// translate is a template in the current language, itself when the
// catalogue has none (noted for Missing).
func translate(format string) string {
	if current == nil {
		return format
	}
	if t, ok := current[format]; ok {
		return t
	}
	missMu.Lock()
	if misses == nil {
		misses = map[string]bool{}
	}
	misses[format] = true
	missMu.Unlock()
	return format
}

// fill is fmt.Sprintf for the templates' common case, %s of strings and %d
// of integers, without fmt's reflection (the JSON view explains every step
// of a large capture); anything else goes to fmt.Sprintf. The text between
// verbs is copied a run at a time, into one allocation.
func fill(format string, args []any) string {
	b := appendFill(make([]byte, 0, len(format)+16*len(args)), format, args)
	return unsafe.String(unsafe.SliceData(b), len(b)) // as strings.Builder does: b is not written again
}

// appendFill is fill appending to dst; what it does not know, it takes
// back and has fmt.Sprintf write whole.
func appendFill(dst []byte, format string, args []any) []byte {
	start, next := len(dst), 0
	for rest := format; ; {
		i := strings.IndexByte(rest, '%')
		if i < 0 {
			dst = append(dst, rest...)
			break
		}
		dst = append(dst, rest[:i]...)
		if i+1 == len(rest) || next == len(args) && rest[i+1] != '%' {
			return append(dst[:start], fmt.Sprintf(format, args...)...)
		}
		verb := rest[i+1]
		rest = rest[i+2:]
		if verb == '%' {
			dst = append(dst, '%')
			continue
		}
		if s, ok := args[next].(string); ok && verb == 's' {
			dst = append(dst, s...)
		} else if ok && verb == 'q' { // a user name, a path: quoted as %q quotes them
			dst = strconv.AppendQuote(dst, s)
		} else if n, ok := appendInt(dst, verb, args[next]); ok {
			dst = n
		} else {
			return append(dst[:start], fmt.Sprintf(format, args...)...)
		}
		next++
	}
	if next != len(args) {
		return append(dst[:start], fmt.Sprintf(format, args...)...)
	}
	return dst
}

// appendInt appends arg as %d formats it, if it is an integer fill knows.
func appendInt(b []byte, verb byte, arg any) ([]byte, bool) {
	if verb != 'd' {
		return b, false
	}
	switch v := arg.(type) {
	case int:
		return strconv.AppendInt(b, int64(v), 10), true
	case int64:
		return strconv.AppendInt(b, v, 10), true
	case int32:
		return strconv.AppendInt(b, int64(v), 10), true
	case uint16:
		return strconv.AppendUint(b, uint64(v), 10), true
	case uint32:
		return strconv.AppendUint(b, uint64(v), 10), true
	case uint64:
		return strconv.AppendUint(b, v, 10), true
	}
	return b, false
}

// Tr translates a message of the command line (an error, a warning, a
// note) and fills it in, as the views' own sentences are: the CLI's words
// are in the same catalogues.
func Tr(format string, args ...any) string { return tr(format, args...) }

// Plural counts things in the current language: "1 session", "3 sessions".
func Plural(n int, what string) string { return plural(n, what) }
