package main

import (
	"flag"
	"fmt"
	"io"
	"runtime/debug"
	"strings"
)

// The text of -h, of ftptrace help VIEW, of the man page (man.go) and of
// the shell completions (completion.go) comes from the tables below and
// from the flags' own usage strings: one text, four places.

// viewDoc says what a view shows and which flags are its own.
type viewDoc struct {
	name, short, long string
	example           string
	flags             []string
}

var viewDocs = []viewDoc{
	{"timeline", "numbered steps of every session, with conclusions (the default view)",
		"Every FTP session step by step, numbered in capture order: each handshake, command, reply, stand-alone ACK, data transfer and teardown packet, with the capture's frame number and a sentence saying what it means; each session ends with its conclusions and findings. From a pipe, a session is printed as soon as it ends.",
		"ftptrace --brief capture.pcap",
		[]string{"brief", "json", "records", "format", "lang", "redact", "color", "fail-on"}},
	{"sessions", "one line per session: endpoints, user, login, duration, bytes, how it ended",
		"One line per FTP session: its number, client and server, user and whether the login succeeded, when it began and how long it lasted, commands and transfers, bytes down and up, how it ended and the server's software.",
		"ftptrace sessions --host 10.0.0.5 capture.pcap",
		[]string{"width", "color", "json", "format", "lang", "redact"}},
	{"transfers", "one line per data transfer: command, path, mode, bytes, rate, reply, verdict",
		"One line per data transfer (LIST, NLST, MLSD, RETR, STOR, APPE, STOU): command and path, active or passive mode and its data connection, bytes, duration, rate, the final reply and the verdict; notes under the table explain verdicts and where files were extracted.",
		"ftptrace transfers --extract out/ capture.pcap",
		[]string{"width", "color", "json", "format", "lang", "extract", "extract-listings", "extract-max"}},
	{"creds", "one line per login attempt: user, password, outcome, who could read it; the findings",
		"One line per login attempt: session and step, client and server, user and password as they crossed the wire, the outcome and who could read them; then the findings, worst first.",
		"ftptrace creds --redact capture.pcap",
		[]string{"width", "color", "json", "format", "lang", "redact", "fail-on", "brute-force"}},
	{"summary", "totals for the whole capture, findings counted by kind, top talkers",
		"Totals for the whole capture: packets, sessions, logins, transfers, file-system changes; the findings counted by kind and severity; the busiest clients and servers; then a screenful of examples (creds and --json list them all).",
		"ftptrace summary capture.pcap",
		[]string{"color", "json", "lang", "redact", "fail-on"}},
	{"ladder", "sequence diagram of one session as SVG, or with --html a self-contained page",
		"A sequence (ladder) diagram of one session as SVG, client and server side by side, or with --html a self-contained page with the diagram, the timeline and the tables. Draws the first session, or the first of --session.",
		"ftptrace ladder --session 2 capture.pcap -o s2.svg",
		[]string{"html", "o", "lang", "redact"}},
	{"report", "the report to share, one self-contained HTML page: summary, findings, sessions",
		"The report to share, one self-contained HTML page (-o report.html): the summary, the findings, an index of the sessions, each session's diagram and timeline. The narrowing flags choose the sessions it shows.",
		"ftptrace report capture.pcap -o report.html",
		[]string{"o", "lang", "redact"}},
	{"diagnose", "why sessions failed, hung or crawled: each problem, its cause, evidence and fix",
		"Why sessions failed, hung or crawled: one block per problem with its cause, the evidence (steps, frames) and the fix; with --json, diagnosis records.",
		"ftptrace diagnose capture.pcap",
		[]string{"json", "lang"}},
	{"latency", "per session: round trip, each command's wait split into network and server time",
		"Per session: the round trip from the handshakes, each command's wait split into network and server time, the slowest commands, each data connection's timing; with --json, latency records.",
		"ftptrace latency capture.pcap",
		[]string{"json", "lang"}},
}

// flagGroups order the flags in -h and in the man page.
var flagGroups = []struct {
	title string
	names []string
}{
	{"Input", []string{"r", "c", "n", "each", "j", "i", "D", "bpf", "snaplen", "B", "ring", "no-promisc", "duration"}},
	{"Narrowing (every view, and -w with files)", []string{"session", "host", "user", "since", "until"}},
	{"Output", []string{"json", "records", "format", "brief", "o", "w", "width", "color", "lang", "redact", "html"}},
	{"Analysis", []string{"ports", "fail-on", "brute-force", "max-steps", "max-conns"}},
	{"Extraction", []string{"extract", "extract-listings", "extract-max"}},
	{"Help", []string{"h", "version"}},
}

// hiddenAliases are flags documented under another's name.
var hiddenAliases = map[string]bool{"count": true, "help": true}

const usageHead = `ftptrace explains every FTP session in a capture, step by step.

Usage:
  ftptrace [VIEW] [flags] FILE...      analyze pcap or pcapng files (gzip'd too; '-' is standard
                                       input; a directory: the captures in it, in time order)
  ftptrace [VIEW] [flags] -i IFACE     capture live (root or CAP_NET_RAW); Ctrl-C stops
  ftptrace -D                          list the interfaces
  ftptrace help [VIEW]                 this help, or one view's
  ftptrace completion SHELL            completion script for bash, zsh or fish

`

const namesNote = `ftptrace never resolves names: addresses are shown as numbers, and -n is accepted
only for the habit.
`

const exitNote = `Exit status: 0 analysed; 1 error, or a damaged capture (what came before is
reported); 2 usage error; 3 the --fail-on condition was met; 130 (143 for SIGTERM)
interrupted while reading files or a pipe (what was read is reported). Live capture
stopped by Ctrl-C exits 0.
`

// writeUsage is -h, ftptrace help: everything, on standard output.
func writeUsage(w io.Writer, fs *flag.FlagSet) {
	fmt.Fprint(w, usageHead)
	fmt.Fprintln(w, "Views:")
	for _, v := range viewDocs {
		fmt.Fprintf(w, "  %-10s %s\n", v.name, v.short)
	}
	for _, g := range flagGroups {
		fmt.Fprintf(w, "\n%s:\n", g.title)
		for _, name := range g.names {
			writeFlag(w, fs.Lookup(name))
		}
	}
	fmt.Fprintln(w)
	fmt.Fprint(w, namesNote)
	fmt.Fprintln(w)
	fmt.Fprint(w, exitNote)
}

// writeViewUsage is ftptrace VIEW -h: what the view shows, its own flags,
// and a pointer to the rest.
func writeViewUsage(w io.Writer, fs *flag.FlagSet, view string) {
	v := docOf(view)
	fmt.Fprintf(w, "ftptrace %s: %s\n\n", v.name, v.short)
	fmt.Fprintf(w, "Usage: ftptrace %s [flags] FILE...   (or -i IFACE for live capture)\n", v.name)
	fmt.Fprintf(w, "Example: %s\n\n", v.example)
	fmt.Fprintln(w, wrap(v.long, 80))
	fmt.Fprintf(w, "\nFlags of this view:\n")
	for _, name := range v.flags {
		writeFlag(w, fs.Lookup(name))
	}
	fmt.Fprintf(w, "\nEvery view also takes the input flags (-r, -c, -i ...) and the narrowing ones\n(--session, --host, --user, --since, --until): ftptrace -h lists them all.\n")
}

func docOf(view string) viewDoc {
	for _, v := range viewDocs {
		if v.name == view {
			return v
		}
	}
	return viewDocs[0]
}

// writeFlag writes one flag as flag.PrintDefaults would, with -x for one
// letter and --name for words.
func writeFlag(w io.Writer, f *flag.Flag) {
	arg, usage := flag.UnquoteUsage(f)
	if _, isBool := f.Value.(interface{ IsBoolFlag() bool }); isBool {
		arg = ""
	}
	line := "  " + dashes(f.Name)
	if arg != "" {
		line += " " + arg
	}
	fmt.Fprintln(w, line)
	if def := defaultNote(f); def != "" {
		usage += " (default " + def + ")"
	}
	fmt.Fprintln(w, indent(wrap(usage, 72), "        "))
}

// defaultNote is a flag's default worth saying, "" when it is zero or the
// usage says it.
func defaultNote(f *flag.Flag) string {
	switch f.DefValue {
	case "", "0", "0s", "false", "[]":
		return ""
	}
	if f.Name == "lang" || f.Name == "color" {
		return ""
	}
	if f.Name == "extract-max" {
		var n int64
		sizeValue{&n}.Set(f.DefValue)
		return humanSize(n)
	}
	return f.DefValue
}

// wrap breaks text into lines of at most width columns, at spaces.
func wrap(text string, width int) string {
	var b strings.Builder
	col := 0
	for i, word := range strings.Fields(text) {
		if i > 0 && col+1+len([]rune(word)) > width {
			b.WriteByte('\n')
			col = 0
		} else if i > 0 {
			b.WriteByte(' ')
			col++
		}
		b.WriteString(word)
		col += len([]rune(word))
	}
	return b.String()
}

func indent(text, prefix string) string {
	return prefix + strings.ReplaceAll(text, "\n", "\n"+prefix)
}

// version says which ftptrace this is: the module's version (a tag when
// installed with go install MODULE@VERSION), the commit it was built from,
// the Go release, and whether it can capture live (cgo and libpcap).
func version() string {
	v, commit, modified := "(unknown)", "", false
	goVersion := ""
	if bi, ok := debug.ReadBuildInfo(); ok {
		v, goVersion = bi.Main.Version, bi.GoVersion
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				commit = s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
	}
	if v == "" {
		v = "(devel)"
	}
	out := "ftptrace " + v
	if commit != "" {
		out += ", commit " + commit[:min(12, len(commit))]
		if modified {
			out += " (with local changes)"
		}
	}
	if goVersion != "" {
		out += ", built with " + goVersion
	}
	if liveCapture {
		return out + ", live capture: yes (libpcap)"
	}
	return out + ", live capture: no (built without cgo)"
}
