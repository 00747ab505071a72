package report

import (
	"encoding/xml"
	"strings"
)

// Geometry of the diagram, in SVG user units (pixels).
const (
	ladderCharW   = 7.3 // width of one character of the 12px monospace labels
	ladderRowH    = 30
	ladderStepCol = 104 // step numbers and times, left of the first lifeline
	ladderHeadW   = 176 // widest lane header
	ladderHeadH   = 40
	ladderTop     = 44 // below the title
	ladderRight   = 190
	ladderMinGap  = 150 // between lifelines
	ladderMaxGap  = 620
	ladderBudget  = 900 // lane area that labels may widen the diagram to
)

// ladderCSS styles the diagram; generic font families only, so it renders
// the same offline everywhere.
const ladderCSS = `text{font-family:"DejaVu Sans Mono","Liberation Mono",Menlo,Consolas,"Noto Sans Mono CJK SC","WenQuanYi Zen Hei Mono",monospace;font-size:12px;fill:#1a202c}
.t{font-family:"DejaVu Sans","Liberation Sans",Helvetica,Arial,"Noto Sans CJK SC","WenQuanYi Zen Hei",sans-serif;font-size:14px;font-weight:bold}
.h{font-family:"DejaVu Sans","Liberation Sans",Helvetica,Arial,"Noto Sans CJK SC","WenQuanYi Zen Hei",sans-serif;font-size:11px;font-weight:bold;text-anchor:middle}
.a{font-size:10px;fill:#4a5568;text-anchor:middle}
.n{font-weight:bold;text-anchor:end}
.tm{font-size:10px;fill:#718096}
.l{text-anchor:middle;paint-order:stroke;stroke:#fff;stroke-width:4px;stroke-linejoin:round}
.ack{fill:#718096}.data{fill:#2b6cb0;font-weight:bold}.alert{fill:#c53030;font-weight:bold}.warn{fill:#c05621;font-weight:bold}.tls{fill:#6b46c1}
a text{text-decoration:underline}
.rst{fill:#c53030}.gap{fill:#c05621}.fold{fill:#4a5568;font-style:italic}.note{fill:#c05621;font-style:italic}
.bl{font-family:"DejaVu Sans","Liberation Sans",Helvetica,Arial,"Noto Sans CJK SC","WenQuanYi Zen Hei",sans-serif;font-size:11px;font-style:italic}
.hs{fill:#2b6cb0}.td{fill:#b7791f}`

// arrowStyle is how each row style draws its line: colour, width, dashes.
var arrowStyle = map[string]struct {
	color string
	width float64
	dash  string
}{
	styleCtl:   {"#1a202c", 1.6, ""},
	styleACK:   {"#718096", 1.2, "5 3"},
	styleData:  {"#2b6cb0", 6, ""},
	styleAlert: {"#c53030", 2.2, ""},
	styleWarn:  {"#c05621", 2.2, ""},
	styleTLS:   {"#6b46c1", 1.6, ""},
	styleRST:   {"#c53030", 1.6, "3 2"},
	styleGap:   {"#c05621", 1.4, "2 3"},
}

// esc escapes text for XML and HTML, quotes included. Text from a capture
// must have been through Clean already (Clean is not idempotent).
func esc(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

// textPx is the width of a label: a character of the monospace font, two
// for the wide characters of Chinese, Japanese and Korean.
func textPx(s string) int { return int(float64(textColumns(s))*ladderCharW + 0.5) }

func textColumns(s string) int {
	n := 0
	for _, r := range s {
		n++
		if wideRune(r) {
			n++
		}
	}
	return n
}

// wideRune tells the runes a terminal or a monospace font draws two
// columns wide: Hangul Jamo, the CJK blocks, Hangul syllables, CJK
// compatibility forms, full-width forms.
func wideRune(r rune) bool {
	return r >= 0x1100 && r <= 0x115f || r >= 0x2e80 && r <= 0xa4cf || r >= 0xac00 && r <= 0xd7a3 ||
		r >= 0xf900 && r <= 0xfaff || r >= 0xfe30 && r <= 0xfe4f || r >= 0xff00 && r <= 0xff60 || r >= 0xffe0 && r <= 0xffe6
}

// geometry places lifelines far enough apart for every label to sit
// between the two lifelines of its arrow.
type geometry struct {
	gap, headW, x0, y0, width, height int
}

func (g *geometry) laneX(i int) int { return g.x0 + i*g.gap }
func (g *geometry) rowY(i int) int  { return g.y0 + i*ladderRowH }

func layout(l *ladder) *geometry {
	// Labels of arrows that span every lifeline set the gap; the others may
	// run over a lifeline (their white halo keeps them readable) once the
	// diagram would grow past a screen's width.
	need, budget := ladderMinGap, ladderMinGap
	if n := len(l.lanes) - 1; n > 0 {
		budget = max(ladderMinGap, ladderBudget/n)
	}
	for _, r := range l.rows {
		span := r.to - r.from
		if span < 0 {
			span = -span
		}
		if span == 0 || r.style == styleFold || r.style == styleNote {
			continue
		}
		n := (textPx(r.label) + 44 + span - 1) / span
		if span < len(l.lanes)-1 {
			n = min(n, budget)
		}
		need = max(need, n)
	}
	for _, ln := range l.lanes {
		need = max(need, int(float64(textColumns(ln.title))*6.6)+30)
	}
	g := &geometry{gap: min(need, ladderMaxGap)}
	g.headW = min(ladderHeadW, g.gap-14)
	g.x0 = ladderStepCol + g.headW/2
	g.y0 = ladderTop + ladderHeadH + 36
	g.width = g.laneX(len(l.lanes)-1) + g.headW/2 + ladderRight
	g.width = max(g.width, int(float64(textColumns(l.title))*8.4)+32)
	g.height = g.rowY(len(l.rows)) + ladderHeadH + 12
	return g
}

// labelX centres a label on its arrow, shifted to stay inside the lanes.
func (g *geometry) labelX(label string, x1, x2, lanes int) int {
	x, half := (x1+x2)/2, textPx(label)/2
	lo, hi := g.laneX(0)-g.headW/2+half, g.laneX(lanes-1)+g.headW/2-half
	if lo <= hi {
		x = min(max(x, lo), hi)
	}
	return x
}

// writeLadderSVG draws the diagram as one SVG document. Inside HTML the
// svg element needs no namespace, so the page names no URL at all.
func writeLadderSVG(w *errWriter, l *ladder, standalone bool) {
	g := layout(l)
	w.printf("<svg")
	if standalone {
		w.printf(" xmlns=\"http://www.w3.org/2000/svg\"")
	}
	w.printf(" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"%s\">\n",
		g.width, g.height, g.width, g.height, esc(tr("Sequence diagram. ")+l.title))
	w.printf("<title>%s</title>\n<style>\n%s\n</style>\n", esc(l.title), ladderCSS)
	w.printf("<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>\n", g.width, g.height)
	w.printf("<text class=\"t\" x=\"16\" y=\"26\">%s</text>\n", esc(l.title))
	writeLaneHeaders(w, l, g, ladderTop)
	writeLadderBody(w, l, g)
	w.printf("</svg>\n")
}

// writeLadderHTML draws the diagram for the HTML report in a box that
// scrolls both ways at full size (the text never shrinks): the lane
// headers in a strip of their own that stays at the top of the box while
// the rows scroll under it, the rows below. The session's heading says
// what the SVG title would.
func writeLadderHTML(w *errWriter, l *ladder) {
	g := layout(l)
	top := ladderTop + ladderHeadH
	w.printf("<div class=\"diagram\">\n<div class=\"lanes\"><svg width=\"%d\" height=\"%d\" viewBox=\"0 %d %d %d\" aria-hidden=\"true\">\n",
		g.width, ladderHeadH+8, ladderTop-4, g.width, ladderHeadH+8)
	w.printf("<style>\n%s\n</style>\n", ladderCSS)
	writeLaneHeaders(w, l, g, ladderTop)
	w.printf("</svg></div>\n")
	w.printf("<svg width=\"%d\" height=\"%d\" viewBox=\"0 %d %d %d\" role=\"img\" aria-label=\"%s\">\n",
		g.width, g.height-top, top, g.width, g.height-top, esc(tr("Sequence diagram. ")+l.title))
	w.printf("<rect y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#fff\"/>\n", top, g.width, g.height-top)
	writeLadderBody(w, l, g)
	w.printf("</svg>\n</div>\n")
}

// writeLaneHeaders draws the boxes that name the lifelines, at y.
func writeLaneHeaders(w *errWriter, l *ladder, g *geometry, y int) {
	for i, ln := range l.lanes {
		writeHeader(w, g, ln, g.laneX(i), y)
	}
}

// writeLadderBody draws the bands, the lifelines with their headers again
// at the bottom, and the rows.
func writeLadderBody(w *errWriter, l *ladder, g *geometry) {
	writeBands(w, l, g)
	bottom := g.rowY(len(l.rows)) - 12
	for i, ln := range l.lanes {
		x := g.laneX(i)
		color, dash := "#4a5568", ""
		if ln.data {
			color, dash = "#63b3ed", ` stroke-dasharray="6 4"`
		}
		w.printf("<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"1.5\"%s/>\n", x, ladderTop+ladderHeadH, x, bottom, color, dash)
		writeHeader(w, g, ln, x, bottom)
	}
	for i, r := range l.rows {
		writeRow(w, l, g, r, g.rowY(i))
	}
}

func writeHeader(w *errWriter, g *geometry, ln lane, x, y int) {
	hw := g.headW
	fill, stroke := "#edf2f7", "#4a5568"
	if ln.data {
		fill, stroke = "#ebf8ff", "#3182ce"
	}
	w.printf("<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" rx=\"5\" fill=\"%s\" stroke=\"%s\"/>\n", x-hw/2, y, hw, ladderHeadH, fill, stroke)
	w.printf("<text class=\"h\" x=\"%d\" y=\"%d\">%s</text>\n", x, y+17, esc(ln.title))
	w.printf("<text class=\"a\" x=\"%d\" y=\"%d\">%s</text>\n", x, y+32, esc(ln.addr))
}

// writeBands shades handshakes and teardowns, labelled in the right margin.
func writeBands(w *errWriter, l *ladder, g *geometry) {
	labelX := g.laneX(len(l.lanes)-1) + 68
	nextY := 0
	for _, b := range l.bands {
		fill, class := "#bee3f8", "hs"
		if b.teardown {
			fill, class = "#fbd38d", "td"
		}
		top := g.rowY(b.first) - 22
		height := g.rowY(b.last) - g.rowY(b.first) + 32
		x := g.laneX(b.lo) - 40
		w.printf("<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" rx=\"6\" fill=\"%s\" fill-opacity=\"0.45\"/>\n",
			x, top, g.laneX(b.hi)-g.laneX(b.lo)+80, height, fill)
		y := max(top+15, nextY)
		nextY = y + 15
		w.printf("<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" rx=\"2\" fill=\"%s\"/>\n", labelX-16, y-9, fill)
		w.printf("<text class=\"bl %s\" x=\"%d\" y=\"%d\">%s</text>\n", class, labelX, y, esc(b.label))
	}
}

func writeRow(w *errWriter, l *ladder, g *geometry, r row, y int) {
	if r.id != "" {
		w.printf("<g id=\"%s\">", r.id)
		defer w.printf("</g>\n")
	}
	if r.href != "" {
		w.printf("<a href=\"%s\">", r.href)
		defer w.printf("</a>")
	}
	if r.step > 0 {
		w.printf("<text class=\"n\" x=\"38\" y=\"%d\">%d</text>\n", y+4, r.step)
		w.printf("<text class=\"tm\" x=\"44\" y=\"%d\">%s</text>\n", y+4, esc(r.at))
	}
	x1, x2 := g.laneX(r.from), g.laneX(r.to)
	switch r.style {
	case styleNote:
		w.printf("<text class=\"note\" x=\"%d\" y=\"%d\">%s</text>\n", x1, y+4, esc(r.label))
		return
	case styleFold, styleAlert:
		if r.from == 0 && r.to == len(l.lanes)-1 && r.step == 0 {
			w.printf("<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#a0aec0\" stroke-width=\"1.2\" stroke-dasharray=\"1 5\" stroke-linecap=\"round\"/>\n", x1, y, x2, y)
			w.printf("<text class=\"l %s\" x=\"%d\" y=\"%d\">%s</text>\n", r.style, g.labelX(r.label, x1, x2, len(l.lanes)), y-7, esc(r.label))
			return
		}
	}
	writeArrow(w, r.style, x1, x2, y)
	w.printf("<text class=\"l %s\" x=\"%d\" y=\"%d\">%s</text>\n", classOf(r.style), g.labelX(r.label, x1, x2, len(l.lanes)), y-8, esc(r.label))
}

func classOf(style string) string {
	if style == styleCtl {
		return "c"
	}
	return style
}

// writeArrow draws a horizontal arrow from x1 to x2 with a solid head; the
// line stops at the head's base so a thick line never shows past it.
func writeArrow(w *errWriter, style string, x1, x2, y int) {
	st := arrowStyle[style]
	head, half := 10, 4
	if style == styleData {
		head, half = 16, 9
	}
	if x1 == x2 { // both ends on one lifeline: a short stub to the right
		x2 = x1 + 40
	}
	d := 1
	if x2 < x1 {
		d = -1
	}
	dash := ""
	if st.dash != "" {
		dash = ` stroke-dasharray="` + st.dash + `"`
	}
	w.printf("<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"%g\"%s/>\n", x1, y, x2-d*head, y, st.color, st.width, dash)
	w.printf("<polygon points=\"%d,%d %d,%d %d,%d\" fill=\"%s\"/>\n", x2, y, x2-d*head, y-half, x2-d*head, y+half, st.color)
}
