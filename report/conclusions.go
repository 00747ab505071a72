package report

import (
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"

	"github.com/ftptrace/ftptrace/analyzer"
)

// Conclusions are the walkthrough's closing remarks, computed from a session:
// ports, the N+1 rule, data connections, handshakes and teardowns, command
// classes, and where the capture departs from the textbook.
func Conclusions(s *analyzer.Session) []string {
	if s.Orphan != "" {
		return orphanConclusions(s)
	}
	var out []string
	ctlPort := s.Client.Port()
	out = append(out, tr("The client's control port is N = %d; the server's control port is %d%s.",
		ctlPort, s.Server.Port(), portNote(s.Server.Port())))
	out = append(out, dataPortConclusion(s)...)
	out = append(out, dataConnsConclusion(s))
	out = append(out, connectionShapes(s))
	out = append(out, commandClasses(s))
	out = append(out, departures(s)...)
	if c := cleartextCount(s); c > 0 {
		out = append(out, tr("%s crossed the network in clear text: anyone on the path could read it.", plural(c, "password")))
	}
	switch n := anonymousPasswords(s); {
	case n == 1:
		out = append(out, tr("The password of an anonymous login crossed in clear text too: anonymous FTP asks for an e-mail address, which is no secret."))
	case n > 1:
		out = append(out, tr("%s of anonymous logins crossed in clear text too: anonymous FTP asks for an e-mail address, which is no secret.", plural(n, "password")))
	}
	switch {
	case s.TLS:
		out = append(out, tr("The control connection switched to TLS (AUTH accepted): what followed is encrypted."))
	case s.Protection != "":
		out = append(out, tr("The control connection is protected by %s (RFC 2228: AUTH, then ADAT): the commands inside MIC, CONF or ENC and the 63x replies cannot be read, logins included.", Clean(s.Protection)))
	}
	return out
}

func portNote(p uint16) string {
	if p == 21 {
		return tr(" (the standard FTP port)")
	}
	return tr(" (not the standard port 21)")
}

// plural counts things: "1 segment", "3 segments"; a catalogue gives the
// form for other languages under "#segment".
func plural(n int, what string) string {
	if current != nil {
		if t := tr("#" + what); !strings.HasPrefix(t, "#") {
			return fmt.Sprintf(t, n)
		}
	}
	if n == 1 {
		return "1 " + what
	}
	if strings.HasSuffix(what, "y") {
		return fmt.Sprintf("%d %sies", n, what[:len(what)-1])
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// dataPortConclusion checks the textbook's points 2 and 3: in active mode the
// server connects from port 20 to the client's port N+1, N+2, ...
func dataPortConclusion(s *analyzer.Session) []string {
	var active, passive []*analyzer.DataConn
	for _, dc := range s.DataConns {
		if dc.Expect != nil && dc.Expect.Mode == "passive" {
			passive = append(passive, dc)
		} else {
			active = append(active, dc)
		}
	}
	var out []string
	if len(active) > 0 {
		var from, to []string
		nPlus := true
		for i, dc := range active {
			from = append(from, fmt.Sprint(dc.Client.Port()))
			to = append(to, fmt.Sprint(dc.Server.Port()))
			if int(dc.Server.Port()) != int(s.Client.Port())+i+1 {
				nPlus = false
			}
		}
		line := tr("Active mode: the server connected from %s to the client's %s.", portWords(joinUniq(from)), portWords(listSome(to)))
		if nPlus {
			line += tr(" The client's data ports follow the N+1, N+2, ... rule.")
		} else {
			line += tr(" The client's data ports do not follow the textbook N+1 rule (modern clients pick random ports).")
		}
		if joinUniq(from) != "20" {
			line += tr(" The server did not use the textbook data port 20.")
		}
		out = append(out, line)
	}
	if len(passive) > 0 {
		out = append(out, passiveConclusion(passive))
	}
	return out
}

// passiveConclusion says what passive mode changed from the textbook's
// point 3: the client opens the data connection, from a port of its own to
// the one the server announced, where in active mode the server connects
// from port 20. Which way the data flows does not change.
func passiveConclusion(passive []*analyzer.DataConn) string {
	var from, to, by []string
	for _, dc := range passive {
		from = append(from, fmt.Sprint(dc.Client.Port()))
		to = append(to, fmt.Sprint(dc.Server.Port()))
		if dc.Expect == nil || dc.Expect.Command == "" {
			by = append(by, tr("inside TLS"))
		} else {
			by = append(by, dc.Expect.Command)
		}
	}
	if len(passive) == 1 {
		return tr("Passive mode: the client opened the data connection itself, from its port %s to the server's port %s, which the server announced (%s); in the textbook's active mode the server opens it, from port 20. Only the opening is turned around: the data flows as each command asks.",
			from[0], to[0], by[0])
	}
	return tr("Passive mode: the client opened the data connections itself, from its ports %s to the server's ports %s, which the server announced (%s); in the textbook's active mode the server opens them, from port 20. Only the opening is turned around: the data flows as each command asks.",
		listSome(from), listSome(to), joinUniq(by))
}

// portWords is "port 20" or "ports 20, 21" for a list of ports.
func portWords(list string) string {
	if strings.Contains(list, ",") {
		return tr("ports %s", list)
	}
	return tr("port %s", list)
}

// maxListed is how many ports, transfers or commands a conclusion names
// before it counts the rest.
const maxListed = 8

// listSome joins xs, the first maxListed of them and a count when there
// are more.
func listSome(xs []string) string {
	if len(xs) <= maxListed {
		return strings.Join(xs, ", ")
	}
	return tr("%s, ... (%d in all)", strings.Join(xs[:maxListed], ", "), len(xs))
}

func joinUniq(xs []string) string {
	seen := map[string]bool{}
	var out []string
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return strings.Join(out, ", ")
}

// connectionShapes checks point 5: every connection opens with 3 packets and
// closes with 4.
func connectionShapes(s *analyzer.Session) string {
	if s.Ended == "unanswered" {
		return tr("The control connection never opened: no SYN,ACK answered the client's SYN.")
	}
	var odd []string
	if !s.SawHandshake {
		if s.Midstream {
			odd = append(odd, tr("the control connection's handshake is not in the capture (it started mid-connection)"))
		} else {
			odd = append(odd, tr("the control connection's handshake did not complete"))
		}
	}
	if k := s.TeardownKind; k != "4-packet" {
		odd = append(odd, tr("the control connection %s", teardownWords(k)))
	}
	for _, dc := range s.DataConns {
		odd = append(odd, dataConnShape(dc)...)
	}
	if len(odd) == 0 && uncaptured(s) > 0 {
		return tr("The connections in the capture opened with a three-way handshake and closed with a four-packet teardown, as TCP prescribes; the data connections not in the capture cannot be told.")
	}
	if len(odd) == 0 {
		return tr("Every connection, control and data, opened with a three-way handshake and closed with a four-packet teardown, as TCP prescribes.")
	}
	return tr("Departures from the three-packet opening and four-packet closing: %s.", joinWords(odd))
}

// dataConnsConclusion counts the data connections: those in the capture,
// and those the replies prove were used though the capture lacks them (a
// transfer answered 150 or 125 and 226 whose data connection is not there).
func dataConnsConclusion(s *analyzer.Session) string {
	n, missing := len(s.DataConns), uncaptured(s)
	switch {
	case missing == 0:
		return tr("The session has one control connection and %s.", plural(n, "data connection"))
	case n == 0:
		return tr("The session has one control connection in the capture; its replies (150 or 125, then 226) show %s used, not in the capture.", plural(missing, "data connection"))
	}
	return tr("The session has one control connection and %s in the capture; its replies (150 or 125, then 226) show %s more used, not in the capture.", plural(n, "data connection"), plural(missing, "data connection"))
}

// uncaptured counts the transfers whose data connection moved bytes, as
// their replies say, but is not in the capture.
func uncaptured(s *analyzer.Session) int {
	n := 0
	for _, t := range s.Transfers {
		if t.Data == nil && t.Verdict == "no data" {
			n++
		}
	}
	return n
}

// dataConnShape says where a data connection departs from the three-packet
// opening and the four-packet closing.
func dataConnShape(dc *analyzer.DataConn) []string {
	var odd []string
	if !dc.Handshake {
		odd = append(odd, tr("data connection #%d's handshake was not fully captured", dc.ID))
	}
	if dc.Teardown != "4-packet" {
		odd = append(odd, tr("data connection #%d %s", dc.ID, teardownWords(dc.Teardown)))
	}
	return odd
}

func joinWords(odd []string) string { return strings.Join(odd, tr("; ")) }

func teardownWords(kind string) string {
	switch kind {
	case "3-packet":
		return tr("closed in three packets (FIN answered by FIN,ACK)")
	case "rst":
		return tr("ended with a reset (RST)")
	case "half":
		return tr("was only half-closed when the capture ended")
	}
	return tr("was still open when the capture ended")
}

// commandClasses is point 6: control commands and commands that need a data
// connection.
func commandClasses(s *analyzer.Session) string {
	classes := map[analyzer.CommandClass]map[string]bool{}
	var unknown []string
	for _, c := range s.Commands {
		info, ok := analyzer.LookupCommand(c.Verb)
		if !ok {
			if !slices.Contains(unknown, shortText(c.Verb)) {
				unknown = append(unknown, shortText(c.Verb))
			}
			continue
		}
		if classes[info.Class] == nil {
			classes[info.Class] = map[string]bool{}
		}
		classes[info.Class][c.Verb] = true
	}
	list := func(cl analyzer.CommandClass) string {
		var v []string
		for verb := range classes[cl] {
			v = append(v, verb)
		}
		sort.Strings(v)
		if len(v) == 0 {
			return tr("none")
		}
		return strings.Join(v, ", ")
	}
	if len(classes) == 0 && len(unknown) == 0 {
		return tr("The client sent no command.")
	}
	line := tr("Commands: control commands %s; commands that need a data connection %s; data-connection setup %s; login and security %s.",
		list(analyzer.ClassControl), list(analyzer.ClassTransfer), list(analyzer.ClassDataSetup), list(analyzer.ClassAccess))
	if len(unknown) > 0 {
		line += tr(" Unknown commands: %s.", listSome(unknown))
	}
	return line
}

// departures lists what the capture shows that the tidy textbook does not.
func departures(s *analyzer.Session) []string {
	var out []string
	piggy := 0
	var lastCmd *analyzer.Step
	for i := range s.Steps {
		st := &s.Steps[i]
		if st.Conn != analyzer.RoleControl {
			continue
		}
		switch {
		case st.Kind == analyzer.KindCommand:
			lastCmd = st
		case lastCmd != nil && !st.FromClient && st.Kind == analyzer.KindReply:
			piggy++
			lastCmd = nil
		case lastCmd != nil && !st.FromClient:
			lastCmd = nil
		}
	}
	if c := unanswered(s); len(c) > 0 {
		out = append(out, tr("%s got no reply in the capture: %s.", plural(len(c), "command"), listSome(c)))
	}
	if piggy > 0 {
		msg := "%s were acknowledged by the reply itself (piggybacked ACK) rather than by a stand-alone ACK first."
		if piggy == 1 {
			msg = "%s was acknowledged by the reply itself (piggybacked ACK) rather than by a stand-alone ACK first."
		}
		out = append(out, tr(msg, plural(piggy, "command")))
	}
	// The preliminary reply before or after the data connection's
	// handshake, grouped: one line for each case, naming the transfers.
	type key struct {
		code  int
		after bool
	}
	var keys []key
	groups := map[key][]*analyzer.Transfer{}
	for _, t := range s.Transfers {
		c := t.Data
		if c == nil || t.Command == "" || !c.SawSYN {
			continue // no handshake in the capture to place the reply against
		}
		for _, cmd := range s.Commands {
			if cmd.Verb == t.Command && cmd.Arg == t.Arg && !cmd.PrelimTime.IsZero() && !cmd.PrelimTime.Before(t.Start) {
				k := key{cmd.Prelim, !cmd.PrelimTime.Before(c.Start)}
				if groups[k] == nil {
					keys = append(keys, k)
				}
				groups[k] = append(groups[k], t)
				break
			}
		}
	}
	for _, k := range keys {
		ts := groups[k]
		var ids []string
		for _, t := range ts {
			ids = append(ids, fmt.Sprintf("%d %s", t.ID, t.Command))
		}
		switch {
		case len(ts) == 1 && k.after:
			out = append(out, tr("Transfer %d (%s): the %d reply came after the data connection's handshake.", ts[0].ID, ts[0].Command, k.code))
		case len(ts) == 1:
			out = append(out, tr("Transfer %d (%s): the %d reply came before the data connection's handshake.", ts[0].ID, ts[0].Command, k.code))
		case k.after:
			out = append(out, tr("In %d transfers (%s) the %d reply came after the data connection's handshake.", len(ids), listSome(ids), k.code))
		default:
			out = append(out, tr("In %d transfers (%s) the %d reply came before the data connection's handshake.", len(ids), listSome(ids), k.code))
		}
	}
	return out
}

// unanswered lists the commands that got no final reply ("PWD (step 11)"),
// the last one left out when the capture ends before its reply could come.
func unanswered(s *analyzer.Session) []string {
	var out []string
	for i, c := range s.Commands {
		if c.ReplyCode != 0 || c.Step == 0 {
			continue
		}
		if i == len(s.Commands)-1 && s.Ended == "capture ended" {
			break // its reply may well have come after the capture ended
		}
		out = append(out, tr("%s (step %d)", shortText(c.Verb), c.Step))
	}
	return out
}

func cleartextCount(s *analyzer.Session) int {
	n := 0
	for _, c := range s.Credentials {
		if c.ExposesSecret() {
			n++
		}
	}
	return n
}

// anonymousPasswords counts the passwords anonymous logins sent in clear.
func anonymousPasswords(s *analyzer.Session) int {
	n := 0
	for _, c := range s.Credentials {
		if c.Anonymous && c.HasPass && c.Cleartext {
			n++
		}
	}
	return n
}

// CrossFindings writes the findings that span sessions (a brute force),
// after the last session of the timeline: they are known, with their
// final counts, once the capture has ended.
func CrossFindings(w io.Writer, fs []analyzer.SessionFinding) error {
	if len(fs) == 0 {
		return nil
	}
	ew := &errWriter{w: w}
	ew.printf("%s", tr("Findings across sessions:\n"))
	for _, f := range fs {
		where := tr(" (from session %d)", f.Session.ID)
		if f.Step > 0 {
			where = tr(" (from session %d, step %d)", f.Session.ID, f.Step)
		}
		ew.printf("  %-8s %s: %s%s\n", strings.ToUpper(f.Severity), f.Kind, Clean(findingText(f.Finding)), where)
	}
	ew.printf("\n")
	return ew.err
}

func writeConclusions(w *errWriter, s *analyzer.Session) {
	w.printf("%s", tr("\nConclusions for session %d:\n", s.ID))
	for i, c := range Conclusions(s) {
		w.printf("  %d. %s\n", i+1, c)
	}
	for _, warn := range s.Warnings {
		w.printf("  warning: %s\n", Clean(warn))
	}
	if len(s.Findings) > 0 {
		w.printf("%s", tr("\nFindings for session %d:\n", s.ID))
		for _, f := range s.Findings {
			where := ""
			switch {
			case f.LastStep > f.Step && f.Step > 0:
				where = tr(" (steps %d-%d)", f.Step, f.LastStep)
			case f.Step > 0:
				where = tr(" (step %d)", f.Step)
			}
			w.printf("  %-8s %s: %s%s\n", strings.ToUpper(f.Severity), f.Kind, Clean(findingText(f)), where)
		}
	}
	writeDiagnoses(w, s)
	w.printf("\n")
}
