package report

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/ftptrace/ftptrace/analyzer"
)

// ShortBytes writes a size for a table or a progress line: 523 B, 1.2 MiB.
func ShortBytes(n int64) string { return shortBytes(n) }

// ShortDuration writes a duration as the tables do: 640 ms, 26.5 s, 3m05s.
func ShortDuration(d time.Duration) string { return shortDuration(d) }

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

// SessionsTable writes one line per session: who, the login, when, how
// much, how it ended, and the server's software.
func SessionsTable(w io.Writer, sessions []*analyzer.Session, st Style) error {
	if len(sessions) == 0 {
		_, err := fmt.Fprintln(w, tr("No FTP session found."))
		return err
	}
	t := &table{cols: []column{
		{head: "#", right: true},
		{head: tr("client"), min: 21},
		{head: tr("server"), min: 21},
		{head: tr("user"), min: 8},
		{head: tr("login")},
		{head: tr("start"), drop: 3},
		{head: tr("duration"), right: true},
		{head: tr("cmds"), right: true, drop: 6},
		{head: tr("xfers"), right: true, drop: 5},
		{head: tr("down/up"), right: true, drop: 1},
		{head: tr("ended")},
		{head: tr("software"), min: 8, drop: 7},
	}}
	if st.Files {
		t.cols = append(t.cols, column{head: tr("file"), min: 8, drop: 4})
	}
	partial, alone := false, false
	for _, s := range sessions {
		login := cell{text: tr(s.Login)}
		switch s.Login {
		case "failed":
			login.color = colorWarning
		case "success":
			login.color = colorGood
		}
		if s.Protection != "" {
			login.text += ", " + Clean(s.Protection)
		}
		ended := tr(s.Ended)
		if s.Ended == "capture ended" {
			ended = tr("open")
		}
		switch {
		case s.Orphan != "":
			login.text, login.color = "-", ""
			ended += "†"
			alone = true
		case !s.Complete:
			ended += "*"
			partial = true
		}
		row := append(plain(fmt.Sprint(s.ID), s.Client.String(), s.Server.String(), orDash(Clean(s.User))), login)
		row = append(row, plain(s.Start.UTC().Format("01-02 15:04:05"), shortDuration(s.End.Sub(s.Start)),
			fmt.Sprint(s.NumCommands()), fmt.Sprint(len(s.Transfers)), shortBytes(s.BytesDown)+"/"+shortBytes(s.BytesUp),
			ended, orDash(Clean(s.Software)))...)
		if st.Files {
			row = append(row, cell{text: fileName(s.File)})
		}
		t.add(row...)
	}
	if err := t.write(w, st); err != nil {
		return err
	}
	ew := &errWriter{w: w}
	if partial || alone {
		ew.printf("\n")
	}
	if partial {
		ew.printf("%s\n", tr("* the capture lacks the control connection's handshake or its end."))
	}
	if alone {
		ew.printf("%s\n", tr("† a data connection alone: its control connection is not in the capture."))
	}
	return ew.err
}

// fileName names a session's capture file in a table: its base name, or
// "stdin".
func fileName(f string) string {
	if f == "-" {
		return "stdin"
	}
	return filepath.Base(f)
}

// TransfersTable writes one line per data transfer with its verdict; notes
// (size disagreements, TYPE A, REST offsets, extracted files) follow the
// table.
func TransfersTable(w io.Writer, sessions []*analyzer.Session, st Style) error {
	ew := &errWriter{w: w}
	var notes []string
	t := &table{cols: []column{
		{head: tr("session"), right: true},
		{head: tr("xfer"), right: true},
		{head: tr("command")},
		{head: tr("path"), min: 10},
		{head: tr("mode")},
		{head: tr("data connection"), drop: 2},
		{head: tr("bytes"), right: true},
		{head: tr("duration"), right: true, drop: 1},
		{head: tr("rate"), right: true, drop: 3},
		{head: tr("reply"), right: true},
		{head: tr("verdict")},
	}}
	for _, s := range sessions {
		for _, x := range s.Transfers {
			id := fmt.Sprintf("%d.%d", s.ID, x.ID)
			path := x.Path
			if path == "" {
				path = x.Arg
			}
			mode := tr("%s (%s)", tr(x.Mode), announcer(x))
			if x.Announce == "" {
				mode = tr(x.Mode) // a data connection without its control connection
			}
			command := x.Command
			if command == "" {
				command = "?"
			}
			conn, dur, rate := tr("not captured"), "-", "-"
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
			row := plain(fmt.Sprint(s.ID), fmt.Sprint(x.ID), command, orDash(Clean(path)), mode, conn,
				shortBytes(x.Bytes), dur, rate, reply)
			t.add(append(row, cell{text: tr(x.Verdict), color: verdictColor(x.Verdict)})...)
			notes = append(notes, transferNotes(id, x)...)
		}
	}
	if len(t.rows) == 0 {
		ew.printf("%s\n", tr("No data transfer found."))
		return ew.err
	}
	if err := t.write(w, st); err != nil {
		return err
	}
	if len(notes) > 0 {
		ew.printf("\n%s\n", tr("Notes (session.transfer):"))
		for _, n := range notes {
			ew.printf("%s\n", n)
		}
	}
	return ew.err
}

// verdictColor marks the transfers that did not deliver the whole file.
func verdictColor(v string) string {
	switch v {
	case "complete":
		return colorGood
	case "failed", "aborted", "truncated", "no data":
		return colorBad
	case "unfinished":
		return colorWarning
	}
	return ""
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
	switch {
	case x.Gaps == 1:
		out = append(out, tr("%s: 1 byte of the payload is missing from the capture.", id))
	case x.Gaps > 0:
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
	if p, ok := x.SizeNotePhrase(); ok && x.SizeNote != "" {
		out = append(out, tr("%s: %s.", id, Clean(phraseText(p))))
	} else if x.TypeA && x.Direction != "listing" {
		out = append(out, tr("%s: TYPE A (text): line ends may differ between the wire and the file on disk.", id))
	}
	return out
}
