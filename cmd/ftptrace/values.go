package main

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/ftptrace/ftptrace/report"
)

// The flag values that are more than a number or a word: sizes with
// suffixes, bounded integers, lists, times.

// sizeUnits are the suffixes a size may carry: SI (10MB = 10 000 000 bytes)
// and binary (64KiB = 65 536), as tcpdump's -C and most tools read them.
var sizeUnits = []struct {
	suffix string
	mult   int64
}{
	{"kib", 1 << 10}, {"mib", 1 << 20}, {"gib", 1 << 30}, {"tib", 1 << 40},
	{"kb", 1e3}, {"mb", 1e6}, {"gb", 1e9}, {"tb", 1e12},
	{"k", 1e3}, {"m", 1e6}, {"g", 1e9}, {"t", 1e12},
	{"b", 1},
}

// parseSize reads a number of bytes: 4096, 64KiB, 10MB, 1.5GiB.
func parseSize(s string) (int64, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	mult := int64(1)
	for _, u := range sizeUnits {
		if strings.HasSuffix(t, u.suffix) {
			t, mult = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.mult
			break
		}
	}
	if n, err := strconv.ParseInt(t, 10, 64); err == nil {
		if n != 0 && (n > math.MaxInt64/mult || n < math.MinInt64/mult) {
			return 0, errorf("%q is too large", s)
		}
		return n * mult, nil
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, errorf("%q is not a size (a number of bytes, or with a suffix: 64KiB, 10MB, 1GiB)", s)
	}
	if f*float64(mult) >= math.MaxInt64 || f*float64(mult) <= math.MinInt64 {
		return 0, errorf("%q is too large", s)
	}
	return int64(f * float64(mult)), nil
}

// sizeValue is a flag holding a size in bytes (parseSize).
type sizeValue struct{ n *int64 }

func (v sizeValue) String() string {
	if v.n == nil {
		return "0"
	}
	return humanSize(*v.n)
}

func (v sizeValue) Set(s string) error {
	n, err := parseSize(s)
	if err != nil {
		return err
	}
	*v.n = n
	return nil
}

// humanSize writes a size as the flags accept it, in the largest binary
// unit that divides it.
func humanSize(n int64) string {
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"TiB", 1 << 40}, {"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if n != 0 && n%u.mult == 0 {
			return strconv.FormatInt(n/u.mult, 10) + u.suffix
		}
	}
	return strconv.FormatInt(n, 10)
}

// listValue is a flag that may be given several times, each time a
// comma-separated list (--host a,b --host c).
type listValue struct{ items *[]string }

func (v listValue) String() string {
	if v.items == nil {
		return ""
	}
	return strings.Join(*v.items, ",")
}

func (v listValue) Set(s string) error {
	for _, it := range strings.Split(s, ",") {
		if it = strings.TrimSpace(it); it != "" {
			*v.items = append(*v.items, it)
		}
	}
	return nil
}

// fileValue is -r FILE, which tcpdump and tshark users type: each -r adds
// a capture, as a file named on the command line does.
type fileValue struct{ files *[]string }

func (v fileValue) String() string { return "" }

func (v fileValue) Set(s string) error {
	*v.files = append(*v.files, s)
	return nil
}

// parseSessions reads --session: numbers and ranges, comma-separated
// ("2", "2,5", "3-7").
func parseSessions(list []string) ([]int, error) {
	var out []int
	for _, it := range list {
		lo, hi, isRange := strings.Cut(it, "-")
		a, err1 := strconv.Atoi(strings.TrimSpace(lo))
		b := a
		var err2 error
		if isRange {
			b, err2 = strconv.Atoi(strings.TrimSpace(hi))
		}
		if err1 != nil || err2 != nil || a < 1 || b < a || b-a > 1_000_000 {
			return nil, errorf("--session %s: give session numbers (1 or more) or ranges, comma-separated: --session 2 or --session 2,5 or --session 3-7", it)
		}
		for n := a; n <= b; n++ {
			out = append(out, n)
		}
	}
	return out, nil
}

// timeLayouts are the forms --since and --until accept. Without a zone
// the time is UTC, the zone every view prints.
var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04",
	"2006-01-02 15:04",
	"2006-01-02",
}

// parseTime reads a --since or --until time.
func parseTime(flagName, s string) (time.Time, error) {
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, strings.TrimSpace(s)); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, errorf("--%s %q: give a time as the views print it, in UTC: 2008-11-05 10:00:02, 2008-11-05T10:00:02Z, 2008-11-05", flagName, s)
}

// intRange checks a numeric flag against its allowed range; hi of 0 means
// no upper bound.
func intRange(name string, n, lo, hi int64, what string) error {
	if n < lo || (hi > 0 && n > hi) {
		r := report.Tr("%d or more", lo)
		if hi > 0 {
			r = report.Tr("%d to %d", lo, hi)
		}
		return errorf("%s %d: give %s, %s", name, n, report.Tr(what), r)
	}
	return nil
}

// editDistance is the optimal string alignment distance (Levenshtein's,
// with two swapped letters one edit), for "did you mean".
func editDistance(a, b string) int {
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1) // two letters swapped
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}

// closest is the candidate nearest to word, when it is near enough to be a
// typing slip (or word is a prefix of it), "" otherwise.
func closest(word string, candidates []string) string {
	best, bestD := "", 3
	for _, c := range candidates {
		d := editDistance(strings.ToLower(word), c)
		if len(word) >= 3 && strings.HasPrefix(c, strings.ToLower(word)) {
			d = 1
		}
		if d < bestD || (d == bestD && best == "") {
			best, bestD = c, d
		}
	}
	if bestD > 2 || (bestD == 2 && len(word) < 5) {
		return ""
	}
	return best
}
