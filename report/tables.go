package report

import (
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/tw"

	"github.com/ftptrace/ftptrace/analyzer"
)

// newTable is the house style: no outer border, a header rule, two spaces
// between columns, multi-line cells, so a table fits 80 columns.
func newTable(w io.Writer, align ...tw.Align) *tablewriter.Table {
	return tablewriter.NewTable(w,
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithRendition(tw.Rendition{
			Borders: tw.BorderNone,
			Symbols: tw.NewSymbols(tw.StyleASCII),
			Settings: tw.Settings{
				Separators: tw.Separators{BetweenColumns: tw.Off, BetweenRows: tw.Off},
				Lines:      tw.Lines{ShowHeaderLine: tw.On},
			},
		}),
		tablewriter.WithAlignment(tw.Alignment(align)),
		tablewriter.WithHeaderAlignment(tw.AlignLeft),
	)
}

// elide shortens s to n display columns, keeping its end (the file name of
// a path) behind an ellipsis.
func elide(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return "…" + string(r[len(r)-(n-1):])
}

// elideEnd shortens s to n columns, keeping its start.
func elideEnd(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

func shortBytes(n int64) string {
	switch {
	case n < 1024:
		return fmt.Sprintf("%d B", n)
	case n < 1<<20:
		return fmt.Sprintf("%.1f KiB", float64(n)/1024)
	case n < 1<<30:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%.2f GiB", float64(n)/(1<<30))
}

func shortDuration(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return fmt.Sprintf("%d µs", d.Microseconds())
	case d < time.Second:
		return fmt.Sprintf("%d ms", d.Milliseconds())
	case d < time.Minute:
		return fmt.Sprintf("%.1f s", d.Seconds())
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// SessionsTable writes one row per session: who, what software, the login,
// when, how much, and how it ended.
func SessionsTable(w io.Writer, sessions []*analyzer.Session) error {
	if len(sessions) == 0 {
		_, err := fmt.Fprintln(w, tr("No FTP session found."))
		return err
	}
	t := newTable(w, tw.AlignRight, tw.AlignLeft, tw.AlignLeft, tw.AlignLeft, tw.AlignRight, tw.AlignRight, tw.AlignLeft)
	partial := false
	t.Header("#", tr("client\nserver"), tr("user\nlogin"), tr("start\nduration"), tr("cmds\nxfers"), tr("down\nup"), tr("ended\nsoftware"))
	for _, s := range sessions {
		login := s.Login
		if s.Protection != "" {
			login += ", " + Clean(s.Protection)
		}
		ended := s.Ended
		if ended == "capture ended" {
			ended = "open"
		}
		if !s.Complete {
			ended += "*"
			partial = true
		}
		t.Append(
			fmt.Sprint(s.ID),
			elide(s.Client.String(), 21)+"\n"+elide(s.Server.String(), 21),
			elideEnd(orDash(Clean(s.User)), 10)+"\n"+login,
			s.Start.UTC().Format("01-02 15:04")+"\n"+shortDuration(s.End.Sub(s.Start)),
			fmt.Sprintf("%d\n%d", s.NumCommands(), len(s.Transfers)),
			shortBytes(s.BytesDown)+"\n"+shortBytes(s.BytesUp),
			ended+"\n"+elideEnd(orDash(Clean(s.Software)), 10),
		)
	}
	if err := t.Render(); err != nil {
		return err
	}
	if partial {
		_, err := fmt.Fprintln(w, tr("\n* the capture lacks the control connection's handshake or its end."))
		return err
	}
	return nil
}

// TransfersTable writes one row per data transfer with its verdict; notes
// (size disagreements, TYPE A, REST offsets) follow the table.
func TransfersTable(w io.Writer, sessions []*analyzer.Session) error {
	ew := &errWriter{w: w}
	var notes []string
	t := newTable(w, tw.AlignRight, tw.AlignLeft, tw.AlignLeft, tw.AlignRight, tw.AlignRight, tw.AlignLeft)
	t.Header("s.t", tr("command\npath"), tr("mode\ndata connection"), tr("bytes\nduration"), tr("rate\nreply"), tr("verdict"))
	rows := 0
	for _, s := range sessions {
		for _, x := range s.Transfers {
			rows++
			id := fmt.Sprintf("%d.%d", s.ID, x.ID)
			path := x.Path
			if path == "" {
				path = x.Arg
			}
			mode := x.Mode + " (" + announcer(x) + ")"
			if x.Announce == "" {
				mode = x.Mode // a data connection without its control connection
			}
			command := x.Command
			if command == "" {
				command = "?"
			}
			conn, dur, rate := "not captured", "-", "-"
			if dc := x.Data; dc != nil {
				conn = fmt.Sprintf("#%d :%d→:%d", dc.ID, dc.Client.Port(), dc.Server.Port())
				if dc.LastData.After(dc.FirstData) {
					d := dc.LastData.Sub(dc.FirstData)
					dur = shortDuration(d)
					if d > 0 {
						rate = shortBytes(int64(float64(x.Bytes)/d.Seconds())) + "/s"
					}
				}
			}
			reply := "-"
			if x.Status != 0 {
				reply = fmt.Sprint(x.Status)
			}
			t.Append(id, command+"\n"+elide(orDash(Clean(path)), 24), mode+"\n"+conn,
				shortBytes(x.Bytes)+"\n"+dur, rate+"\n"+reply, x.Verdict)
			notes = append(notes, transferNotes(id, x)...)
		}
	}
	if rows == 0 {
		ew.printf("%s\n", tr("No data transfer found."))
		return ew.err
	}
	if err := t.Render(); err != nil {
		return err
	}
	if len(notes) > 0 {
		ew.printf("\n")
		for _, n := range notes {
			ew.printf("%s\n", n)
		}
	}
	return ew.err
}

func announcer(x *analyzer.Transfer) string {
	f := strings.Fields(x.Announce)
	if len(f) == 0 {
		return "?"
	}
	switch f[0] {
	case "227":
		return "PASV"
	case "228":
		return "LPSV"
	case "229":
		return "EPSV"
	case "(none:":
		return "default port"
	}
	return Clean(f[0])
}

// transferNotes explains what a verdict alone does not.
func transferNotes(id string, x *analyzer.Transfer) []string {
	var out []string
	if x.Rest > 0 {
		out = append(out, tr("%s: restarted at byte %d (REST): the payload is the file from that offset on.", id, x.Rest))
	}
	if x.Gaps > 0 {
		out = append(out, tr("%s: %s of the payload are missing from the capture.", id, humanBytes(x.Gaps)))
	}
	switch {
	case x.ExtractError != "" && x.Extracted != "":
		// Never "written to" for a file cut short: its name ends in
		// .truncated, and the note says where and why.
		out = append(out, tr("%s: cut at %d of %d bytes (%s): %s.", id, x.ExtractedBytes, FullLength(x), x.ExtractError, x.Extracted))
	case x.ExtractError != "":
		out = append(out, tr("%s: not extracted (%s).", id, x.ExtractError))
	case x.Extracted != "":
		out = append(out, tr("%s: written to %s.", id, x.Extracted))
	}
	if x.Stored != "" {
		out = append(out, tr("%s: STOU stored the file as %s.", id, Clean(x.Stored)))
	}
	if x.SizeNote != "" {
		out = append(out, fmt.Sprintf("%s: %s.", id, Clean(x.SizeNote)))
	} else if x.TypeA && x.Direction != "listing" {
		out = append(out, tr("%s: TYPE A (text): line ends may differ between the wire and the file on disk.", id))
	}
	return out
}
