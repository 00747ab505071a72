package report

import (
	"fmt"
	"io"
	"net/netip"
	"strings"

	"github.com/ftptrace/ftptrace/analyzer"
)

// DefaultLadderRows is where a ladder diagram stops: beyond it a diagram is
// no longer something a person reads, the timeline is.
const DefaultLadderRows = 400

// maxDataLanes bounds the data-port lanes on each side; the ports past it
// share the last lane, so a session with hundreds of transfers stays
// readable.
const maxDataLanes = 4

// LadderOptions shape the ladder diagram.
type LadderOptions struct {
	MaxRows int // rows drawn before the diagram stops with a note (0: DefaultLadderRows)
	// Anchors, in the HTML report, prefixes the ids of the steps' rows
	// ("s3" gives s3-step12) and the links from a finding's arrow to the
	// finding (s3-f1); the standalone SVG has neither.
	Anchors string
	// deferred: the session is drawn by the page's script when opened, so
	// its long timeline may start folded (the script opens it for a link).
	deferred bool
}

// Ladder writes a session as a standalone SVG sequence diagram: one
// lifeline per endpoint, one arrow per step, top to bottom in time order.
func Ladder(w io.Writer, s *analyzer.Session, opts LadderOptions) error {
	ew := &errWriter{w: w}
	ew.printf("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
	writeLadderSVG(ew, buildLadder(s, opts), true)
	return ew.err
}

// laneKey tells endpoints apart by side as well as address: on loopback the
// client and the server share an address and may even share a port.
type laneKey struct {
	client bool
	ap     netip.AddrPort
}

type lane struct {
	title string // "client :51299", "server :20 (data)"
	addr  string // the address, shown under the title
	data  bool
}

// Row styles: how an arrow is drawn.
const (
	styleCtl   = ""      // a command, a reply, a handshake or teardown packet
	styleACK   = "ack"   // a stand-alone ACK: thin and dashed
	styleData  = "data"  // payload on a data connection: one thick arrow
	styleAlert = "alert" // a clear-text password, a critical finding
	styleWarn  = "warn"  // a warning finding
	styleTLS   = "tls"   // encrypted bytes on the control connection
	styleRST   = "rst"   // a reset
	styleGap   = "gap"   // bytes the capture missed
	styleFold  = "fold"  // repeated exchanges folded into one row
	styleNote  = "note"  // the diagram stops here
)

type row struct {
	step     int // step number shown at the left, 0 for none
	at       string
	from, to int // lane indices
	label    string
	style    string
	id       string // the row's anchor in the HTML report
	href     string // the finding the row shows, in the HTML report
}

type band struct {
	first, last int // row indices
	lo, hi      int // lane indices
	label       string
	teardown    bool
}

type ladder struct {
	title string
	lanes []lane
	rows  []row
	bands []band
}

type ladderBuilder struct {
	s        *analyzer.Session
	l        *ladder
	index    map[laneKey]int
	side     [2][]netip.AddrPort // data ports in order of appearance: [0] server, [1] client
	max      int
	full     bool
	anchors  string
	findings map[int]int // step number -> index in s.Findings of the worst finding it shows
}

func buildLadder(s *analyzer.Session, opts LadderOptions) *ladder {
	b := &ladderBuilder{s: s, l: &ladder{}, max: opts.MaxRows, anchors: opts.Anchors, findings: findingSteps(s)}
	if b.max <= 0 {
		b.max = DefaultLadderRows
	}
	b.l.title = tr("Session %d: FTP client %s, server %s, %s (%s)", s.ID, s.Client.String(), s.Server.String(),
		s.Start.UTC().Format("2006-01-02 15:04:05 UTC"), humanDuration(s.End.Sub(s.Start)))
	b.layLanes()
	folds := findFolds(s.Steps)
	teardowns := map[int]int{} // connection (-1: control) -> its teardown band
	for i := 0; i < len(s.Steps) && !b.full; i++ {
		st := &s.Steps[i]
		if f, ok := folds[i]; ok {
			b.foldRow(f)
			i = f.end - 1
			continue
		}
		first := len(b.l.rows)
		b.stepRows(st)
		if len(b.l.rows) == first {
			continue
		}
		last := len(b.l.rows) - 1
		lo, hi := b.span(first, last)
		switch {
		case st.Kind == analyzer.KindHandshake:
			b.l.bands = append(b.l.bands, band{first: first, last: last, lo: lo, hi: hi, label: tr("3-way handshake") + connSuffix(st)})
		case strings.HasPrefix(st.Phase, "teardown"):
			key := st.DataID
			if st.Conn == analyzer.RoleControl {
				key = -1
			}
			j, ok := teardowns[key]
			if !ok {
				j = len(b.l.bands)
				teardowns[key] = j
				b.l.bands = append(b.l.bands, band{first: first, lo: lo, hi: hi, teardown: true, label: tr("teardown") + connSuffix(st)})
			}
			bd := &b.l.bands[j]
			bd.last, bd.lo, bd.hi = last, min(bd.lo, lo), max(bd.hi, hi)
			switch {
			case strings.HasSuffix(st.Phase, "/4"):
				bd.label = tr("4-way teardown") + connSuffix(st)
			case strings.HasSuffix(st.Phase, "/3"):
				bd.label = tr("3-way teardown") + connSuffix(st)
			}
		}
	}
	return b.l
}

// layLanes orders the lifelines client control, client data ports, server
// data ports, server control: control arrows span the diagram and the data
// connections nest inside it, the first one outermost.
func (b *ladderBuilder) layLanes() {
	s := b.s
	seen := map[laneKey]bool{{true, s.Client}: true, {false, s.Server}: true}
	for i := range s.Steps {
		st := &s.Steps[i]
		if st.Conn != analyzer.RoleData {
			continue
		}
		for _, k := range []laneKey{{st.FromClient, st.From}, {!st.FromClient, st.To}} {
			if !seen[k] {
				seen[k] = true
				side := 0
				if k.client {
					side = 1
				}
				b.side[side] = append(b.side[side], k.ap)
			}
		}
	}
	b.index = map[laneKey]int{}
	add := func(k laneKey, l lane) {
		b.index[k] = len(b.l.lanes)
		b.l.lanes = append(b.l.lanes, l)
	}
	add(laneKey{true, s.Client}, lane{title: tr("client :%d", s.Client.Port()), addr: s.Client.Addr().String()})
	b.addDataLanes(true, b.side[1], add)
	server := b.side[0]
	rev := make([]netip.AddrPort, len(server))
	for i, ap := range server {
		rev[len(server)-1-i] = ap
	}
	b.addDataLanes(false, rev, add)
	add(laneKey{false, s.Server}, lane{title: tr("server :%d", s.Server.Port()), addr: s.Server.Addr().String()})
}

// addDataLanes gives each data port its lane, up to maxDataLanes; the rest
// share one lane named for how many ports it stands for.
func (b *ladderBuilder) addDataLanes(client bool, ports []netip.AddrPort, add func(laneKey, lane)) {
	dataTitle := func(ap netip.AddrPort) string {
		if client {
			return tr("client :%d (data)", ap.Port())
		}
		return tr("server :%d (data)", ap.Port())
	}
	if len(ports) <= maxDataLanes {
		for _, ap := range ports {
			add(laneKey{client, ap}, lane{title: dataTitle(ap), addr: ap.Addr().String(), data: true})
		}
		return
	}
	// The shared lane sits where the overflow ports would: innermost.
	keep, rest := ports[:maxDataLanes-1], ports[maxDataLanes-1:]
	if !client {
		keep, rest = ports[len(ports)-maxDataLanes+1:], ports[:len(ports)-maxDataLanes+1]
	}
	shared := lane{title: tr("server: %d more data ports", len(rest)), addr: tr("(one lane)"), data: true}
	if client {
		shared.title = tr("client: %d more data ports", len(rest))
	}
	if !client {
		b.addShared(client, rest, shared, add)
	}
	for _, ap := range keep {
		add(laneKey{client, ap}, lane{title: dataTitle(ap), addr: ap.Addr().String(), data: true})
	}
	if client {
		b.addShared(client, rest, shared, add)
	}
}

func (b *ladderBuilder) addShared(client bool, ports []netip.AddrPort, l lane, add func(laneKey, lane)) {
	add(laneKey{client, ports[0]}, l)
	for _, ap := range ports[1:] {
		b.index[laneKey{client, ap}] = b.index[laneKey{client, ports[0]}]
	}
}

func (b *ladderBuilder) laneOf(client bool, ap netip.AddrPort) int {
	if i, ok := b.index[laneKey{client, ap}]; ok {
		return i
	}
	if client {
		return 0
	}
	return len(b.l.lanes) - 1
}

func (b *ladderBuilder) span(first, last int) (lo, hi int) {
	lo, hi = len(b.l.lanes), -1
	for _, r := range b.l.rows[first : last+1] {
		lo, hi = min(lo, r.from, r.to), max(hi, r.from, r.to)
	}
	return lo, hi
}

// add appends a row unless the diagram is full; the row that fills it is
// a note saying where the diagram stopped.
func (b *ladderBuilder) add(r row, stepN int) {
	if b.full {
		return
	}
	if len(b.l.rows) == b.max-1 {
		b.full = true
		r = row{label: tr("... the diagram stops at %d rows: steps %d-%d are in the timeline", b.max, stepN, b.s.Steps[len(b.s.Steps)-1].N),
			from: 0, to: len(b.l.lanes) - 1, style: styleNote}
	}
	b.l.rows = append(b.l.rows, r)
}

// stepRows draws one step: three (or more) arrows for a handshake, one for
// anything else.
func (b *ladderBuilder) stepRows(st *analyzer.Step) {
	at := fmt.Sprintf("+%.6f", st.Time.Sub(b.s.Start).Seconds())
	if st.Kind == analyzer.KindHandshake && len(st.Packets) > 0 {
		for i, p := range st.Packets {
			fromClient := st.FromClient == (p.From == st.From)
			r := row{from: b.laneOf(fromClient, p.From), to: b.laneOf(!fromClient, p.To), label: p.Flags}
			if i == 0 {
				r.step, r.at = st.N, at
				b.markFinding(&r)
			}
			b.add(r, st.N)
		}
		return
	}
	label, style := ladderLabel(b.s, st)
	r := row{step: st.N, at: at, from: b.laneOf(st.FromClient, st.From), to: b.laneOf(!st.FromClient, st.To), label: label, style: style}
	b.markFinding(&r)
	b.add(r, st.N)
}

// markFinding names the anchor of a step's row and, when a finding points
// at the step (a clear-text PASS, a port-bounce PORT, the stolen data
// connection), colours the arrow by the finding's severity, says the
// finding on it and links it to the finding.
func (b *ladderBuilder) markFinding(r *row) {
	if b.anchors != "" {
		r.id = fmt.Sprintf("%s-step%d", b.anchors, r.step)
	}
	i, ok := b.findings[r.step]
	if !ok {
		return
	}
	f := b.s.Findings[i]
	r.label += " \u26a0 " + findingLabel(f.Kind)
	switch f.Severity {
	case analyzer.SeverityCritical:
		r.style = styleAlert
	case analyzer.SeverityWarning:
		if r.style != styleAlert {
			r.style = styleWarn
		}
	}
	if b.anchors != "" {
		r.href = fmt.Sprintf("#%s-f%d", b.anchors, i+1)
	}
}

// findingSteps maps each step a finding points at to the worst finding
// there.
func findingSteps(s *analyzer.Session) map[int]int {
	rank := map[string]int{analyzer.SeverityInfo: 1, analyzer.SeverityWarning: 2, analyzer.SeverityCritical: 3}
	out := map[int]int{}
	for i, f := range s.Findings {
		if f.Step <= 0 {
			continue
		}
		if j, ok := out[f.Step]; !ok || rank[f.Severity] > rank[s.Findings[j].Severity] {
			out[f.Step] = i
		}
	}
	return out
}

// foldRow stands for a run of repeated exchanges after its first one.
func (b *ladderBuilder) foldRow(f fold) {
	steps := b.s.Steps[f.start:f.end]
	r := row{from: 0, to: len(b.l.lanes) - 1, style: styleFold,
		label: tr("... %s x %d more (steps %d-%d)", f.what, f.times, steps[0].N, steps[len(steps)-1].N)}
	for i := range steps {
		if steps[i].Cleartext && !steps[i].Anonymous {
			r.style, r.label = styleAlert, r.label+tr(", clear-text passwords!")
			break
		}
	}
	b.add(r, steps[0].N)
}
