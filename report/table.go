package report

import (
	"bytes"
	"io"
	"strings"

	"github.com/mattn/go-runewidth"
)

// Style is how the text views are drawn: the width the tables must fit
// (0: no limit), colour (ANSI, for terminals only), and whether several
// capture files were read (tables then say which file a session came from).
type Style struct {
	Width int
	Color bool
	Files bool
}

// DefaultStyle is what the text views use when the output is not a
// terminal and nothing else was asked: 80 columns, no colour.
var DefaultStyle = Style{Width: 80}

// column is one column of a table: one line per record, so that grep and
// awk work on it, fitted to the width by eliding long cells in the middle
// (an IPv6 address keeps its prefix and port, a path its start and its
// file name) and, when even that is not enough, by leaving out the
// columns that matter least.
type column struct {
	head  string
	right bool // numbers are aligned right
	// min is the narrowest the cells may be elided to; 0 when they are
	// never elided (numbers, codes, short words).
	min int
	// drop orders the columns left out when the table does not fit: the
	// highest first; 0 is never left out.
	drop int
}

// cell is a table cell with its colour, if any.
type cell struct {
	text  string
	color string // an ANSI SGR sequence, "" for none
	// whole cells are never elided, whatever their column's min: the user
	// and the password that crossed the wire, in the creds view. Their
	// column is no narrower than the widest of them, and a line may then
	// be wider than the width.
	whole bool
}

// table collects the rows, then fits and writes them.
type table struct {
	cols []column
	rows [][]cell
}

func (t *table) add(cells ...cell) { t.rows = append(t.rows, cells) }

// plain makes cells without colour.
func plain(texts ...string) []cell {
	out := make([]cell, len(texts))
	for i, s := range texts {
		out[i] = cell{text: s}
	}
	return out
}

const columnGap = 2

// layout decides the width of each column (-1 for a column left out).
// Each cell is measured once: for its column's natural width and, when
// whole, for its floor, the narrowest the column may be elided to (its
// min, or its widest whole cell when wider; 0: never elided).
func (t *table) layout(width int) []int {
	natural := make([]int, len(t.cols))
	floor := make([]int, len(t.cols))
	for i, c := range t.cols {
		natural[i], floor[i] = textWidth(c.head), c.min
		for _, r := range t.rows {
			w := textWidth(r[i].text)
			natural[i] = max(natural[i], w)
			if r[i].whole && c.min > 0 {
				floor[i] = max(floor[i], w)
			}
		}
	}
	widths := append([]int(nil), natural...)
	if width <= 0 {
		return widths
	}
	t.fit(widths, floor, width)
	// Columns left out on the way may fit again once others were: take
	// them back, the most important first.
	for {
		back := -1
		for i, c := range t.cols {
			if widths[i] < 0 && (back < 0 || c.drop < t.cols[back].drop) && t.total(widths)+natural[i]+columnGap <= width {
				back = i
			}
		}
		if back < 0 {
			return widths
		}
		widths[back] = natural[back]
	}
}

// total is the width of the columns shown, with the gaps between them.
func (t *table) total(widths []int) int {
	total, shown := 0, 0
	for _, w := range widths {
		if w >= 0 {
			total += w
			shown++
		}
	}
	return total + columnGap*max(shown-1, 0)
}

// fit elides and leaves out columns until the table fits width, or until
// nothing more may be elided or left out.
func (t *table) fit(widths, floor []int, width int) {
	for {
		excess := t.total(widths) - width
		if excess <= 0 {
			return
		}
		// Elide the widest elidable cells first: the room goes to what
		// needs it.
		room := 0
		for i := range t.cols {
			if widths[i] >= 0 && floor[i] > 0 && widths[i] > floor[i] {
				room += widths[i] - floor[i]
			}
		}
		if room >= excess {
			shrinkWidest(widths, floor, excess)
			return
		}
		drop := -1
		for i, c := range t.cols {
			if widths[i] >= 0 && c.drop > 0 && (drop < 0 || c.drop > t.cols[drop].drop) {
				drop = i
			}
		}
		if drop < 0 {
			shrinkWidest(widths, floor, room)
			return
		}
		widths[drop] = -1
	}
}

// shrinkWidest takes n columns from the elidable columns, one at a time
// from the widest, so that long cells keep as much as the others allow;
// floor is how narrow each may go (0: not at all).
func shrinkWidest(widths, floor []int, n int) {
	for ; n > 0; n-- {
		best := -1
		for i, f := range floor {
			if widths[i] > f && f > 0 && (best < 0 || widths[i]-f > widths[best]-floor[best]) {
				best = i
			}
		}
		if best < 0 {
			return
		}
		widths[best]--
	}
}

// write fits the table to the style's width and writes it: a header, a
// rule, one line per row. The lines are made in one buffer, written as
// it fills: the creds table of a busy server has a row per login.
func (t *table) write(w io.Writer, st Style) error {
	widths := t.layout(st.Width)
	heads := make([]cell, len(t.cols))
	rule := make([]cell, len(t.cols))
	for i, c := range t.cols {
		heads[i] = cell{text: c.head}
		if widths[i] >= 0 {
			rule[i] = cell{text: strings.Repeat("-", widths[i])}
		}
	}
	var b []byte
	for _, r := range append([][]cell{heads, rule}, t.rows...) {
		start := len(b)
		first := true
		for i, c := range t.cols {
			if widths[i] < 0 {
				continue
			}
			if !first {
				b = appendSpaces(b, columnGap)
			}
			first = false
			text := elideCell(r[i].text, widths[i])
			pad := widths[i] - textWidth(text)
			if c.right {
				b = appendSpaces(b, pad)
			}
			b = append(b, paint(st, r[i].color, text)...)
			if !c.right {
				b = appendSpaces(b, pad)
			}
		}
		b = b[:start+len(bytes.TrimRight(b[start:], " "))]
		b = append(b, '\n')
		if len(b) >= 64<<10 {
			if _, err := w.Write(b); err != nil {
				return err
			}
			b = b[:0]
		}
	}
	_, err := w.Write(b)
	return err
}

// appendSpaces appends n spaces (none when n <= 0).
func appendSpaces(b []byte, n int) []byte {
	for ; n > 0; n-- {
		b = append(b, ' ')
	}
	return b
}

// textWidth is s's width in display columns, as runewidth.StringWidth
// says, without its grapheme segmentation for the cells most tables are
// made of, printable ASCII, one column a byte: a table of many sessions
// measures each cell twice.
func textWidth(s string) int {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e {
			return runewidth.StringWidth(s)
		}
	}
	return len(s)
}

// elideCell shortens s to n display columns, keeping its start and its
// end around an ellipsis: 2001:db8:…:1]:21, /pub/…/report.pdf.
func elideCell(s string, n int) string {
	if textWidth(s) <= n {
		return s
	}
	if n <= 1 {
		return runewidth.Truncate(s, n, "")
	}
	r := []rune(s)
	keep := n - 1
	headW := (keep + 1) / 2
	tailW := keep - headW
	head, tail := "", ""
	w := 0
	i := 0
	for ; i < len(r) && w+runewidth.RuneWidth(r[i]) <= headW; i++ {
		w += runewidth.RuneWidth(r[i])
	}
	head = string(r[:i])
	w = 0
	j := len(r)
	for ; j > i && w+runewidth.RuneWidth(r[j-1]) <= tailW; j-- {
		w += runewidth.RuneWidth(r[j-1])
	}
	tail = string(r[j:])
	return head + "…" + tail
}

// elideEnd shortens s to n columns, keeping its start.
func elideEnd(s string, n int) string {
	if runewidth.StringWidth(s) <= n {
		return s
	}
	return runewidth.Truncate(s, n, "…")
}
