package report

import (
	"fmt"
	"os"
	"sort"
	"strconv"
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

// trTo is tr writing into b: an explanation is made of several sentences,
// each written once into it instead of into a string of its own first.
func trTo(b *strings.Builder, format string, args ...any) {
	format = translate(format)
	if len(args) == 0 {
		b.WriteString(format)
		return
	}
	fillTo(b, format, args)
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
	var b strings.Builder
	b.Grow(len(format) + 16*len(args))
	fillTo(&b, format, args)
	return b.String()
}

// fillTo is fill writing into b. What fill does not know goes to
// fmt.Sprintf whole: fillable tells before anything is written.
func fillTo(b *strings.Builder, format string, args []any) {
	if !fillable(format, args) {
		b.WriteString(fmt.Sprintf(format, args...))
		return
	}
	var num [24]byte
	next := 0
	for rest := format; ; {
		i := strings.IndexByte(rest, '%')
		if i < 0 {
			b.WriteString(rest)
			return
		}
		b.WriteString(rest[:i])
		verb := rest[i+1]
		rest = rest[i+2:]
		if verb == '%' {
			b.WriteByte('%')
			continue
		}
		if s, ok := args[next].(string); ok && verb == 's' {
			b.WriteString(s)
		} else {
			n, _ := appendInt(num[:0], verb, args[next])
			b.Write(n)
		}
		next++
	}
}

// fillable tells whether fill knows every verb of format and its argument
// (%s of a string, %d of an integer, %%), and the arguments are as many as
// the verbs.
func fillable(format string, args []any) bool {
	var num [24]byte
	next := 0
	for rest := format; ; {
		i := strings.IndexByte(rest, '%')
		if i < 0 {
			return next == len(args)
		}
		if i+1 == len(rest) {
			return false
		}
		verb := rest[i+1]
		rest = rest[i+2:]
		if verb == '%' {
			continue
		}
		if next == len(args) {
			return false
		}
		if _, ok := args[next].(string); !ok || verb != 's' {
			if _, ok := appendInt(num[:0], verb, args[next]); !ok {
				return false
			}
		}
		next++
	}
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
