package diagnose

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ftptrace/ftptrace/analyzer"
)

// Helpers that find the steps a diagnosis points at.

// stepIndexWhere is the number of the first step matching, 0 for none.
func (r *reading) stepWhere(match func(*analyzer.Step) bool) int {
	for i := range r.s.Steps {
		if match(&r.s.Steps[i]) {
			return r.s.Steps[i].N
		}
	}
	return 0
}

// commandStep is the step of a command, 0 when it was not kept.
func (r *reading) commandStep(c *analyzer.Command) int {
	if c == nil {
		return 0
	}
	if c.Step > 0 {
		return c.Step
	}
	return r.stepWhere(func(st *analyzer.Step) bool {
		return st.Kind == analyzer.KindCommand && st.Time.Equal(c.Time) && st.Command == c.Verb
	})
}

// replyStep is the step of the final reply to a command, 0 for none.
func (r *reading) replyStep(c *analyzer.Command) int {
	if c == nil || c.ReplyCode == 0 {
		return 0
	}
	return r.stepWhere(func(st *analyzer.Step) bool {
		return st.Kind == analyzer.KindReply && st.Code == c.ReplyCode && st.Time.Equal(c.ReplyTime)
	})
}

// commandOf finds the command a transfer belongs to.
func (r *reading) commandOf(t *analyzer.Transfer) *analyzer.Command {
	for _, c := range r.s.Commands {
		if c.Verb == t.Command && c.Time.Equal(t.Start) {
			return c
		}
	}
	return nil
}

// announceStep is the step that announced a data connection: the PORT
// (EPRT, LPRT) command, or the 227 (229, 228) reply; 0 when unknown.
func (r *reading) announceStep(e *analyzer.Expectation) int {
	if e == nil || e.Time.IsZero() {
		return 0
	}
	return r.stepWhere(func(st *analyzer.Step) bool {
		if !st.Time.Equal(e.Time) || st.Conn != analyzer.RoleControl {
			return false
		}
		if e.Mode == "passive" {
			return st.Kind == analyzer.KindReply && st.Code >= 227 && st.Code <= 229
		}
		return st.Kind == analyzer.KindCommand && st.Command == e.Command
	})
}

// dataSteps are the steps of one data connection of a kind.
func (r *reading) dataSteps(dc *analyzer.DataConn, kind analyzer.StepKind) []*analyzer.Step {
	var out []*analyzer.Step
	for i := range r.s.Steps {
		st := &r.s.Steps[i]
		if st.Conn == analyzer.RoleData && st.DataID == dc.ID && st.Kind == kind {
			out = append(out, st)
		}
	}
	return out
}

// side names the FTP role that sent something.
func side(fromClient bool) string {
	if fromClient {
		return "client"
	}
	return "server"
}

// Duration writes a duration for people: 850 µs, 12.3 ms, 4.2 s, 3 min 5 s.
func Duration(d time.Duration) string {
	switch {
	case d < 0:
		return "-" + Duration(-d)
	case d < time.Millisecond:
		return fmt.Sprintf("%d µs", d.Microseconds())
	case d < time.Second:
		return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000)
	case d < time.Minute:
		return fmt.Sprintf("%.1f s", d.Seconds())
	case d < time.Hour:
		return fmt.Sprintf("%d min %d s", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("%.1f h", d.Hours())
}

// Rate writes a throughput in bytes per second for people.
func Rate(bps float64) string {
	switch {
	case bps >= 1e9:
		return fmt.Sprintf("%.2f GB/s", bps/1e9)
	case bps >= 1e6:
		return fmt.Sprintf("%.2f MB/s", bps/1e6)
	case bps >= 1e3:
		return fmt.Sprintf("%.1f kB/s", bps/1e3)
	}
	return fmt.Sprintf("%.0f B/s", bps)
}

// Bytes writes a size for people.
func Bytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.2f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

// intervals lists the gaps between successive times: "1.0 s, 2.0 s".
func intervals(ts []time.Time) string {
	var parts []string
	for i := 1; i < len(ts); i++ {
		parts = append(parts, Duration(ts[i].Sub(ts[i-1])))
	}
	return strings.Join(parts, ", ")
}

// what names a transfer for a title: "LIST", "RETR data.bin".
func what(t *analyzer.Transfer) string {
	if t == nil {
		return "the transfer"
	}
	if t.Arg == "" {
		return t.Command
	}
	return t.Command + " " + clip(t.Arg)
}

// maxArg is how much of an argument a diagnosis repeats: the timeline
// shows the whole of a long one once, at its step.
const maxArg = 64

// clip is an argument as diagnoses quote it: a long one is named by its
// length only.
// commandClass is the verb's class in the analyzer's table of commands:
// ClassTransfer for LIST, RETR..., ClassDataSetup for PORT, PASV...;
// ClassControl for a verb it does not know.
func commandClass(verb string) analyzer.CommandClass {
	info, _ := analyzer.LookupCommand(verb)
	return info.Class
}

// commandLine is the command as the client sent it, its argument clipped:
// "RETR notes.txt", or "LIST" alone when it has none.
func commandLine(c *analyzer.Command) string {
	if c.Arg == "" {
		return c.Verb
	}
	return c.Verb + " " + clip(c.Arg)
}

func clip(arg string) string {
	if n := utf8.RuneCountInString(arg); n > maxArg {
		return fmt.Sprintf("(%d characters)", n)
	}
	return arg
}
