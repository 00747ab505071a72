package main

import (
	"flag"
	"fmt"
	"io"
	"strings"
)

// writeMan writes the manual page ftptrace.1 (roff, man(7) macros) from the
// same text as -h: the views' descriptions, the flags' usage strings in
// their groups, the notes on names and exit status. make man writes it to
// docs/ftptrace.1; TestManPageUpToDate keeps that file in step.
func writeMan(w io.Writer, fs *flag.FlagSet) {
	p := func(format string, args ...any) { fmt.Fprintf(w, format, args...) }
	p(".TH FTPTRACE 1 \"\" \"ftptrace\" \"User Commands\"\n")
	p(".SH NAME\nftptrace \\- explain every FTP session in a network capture, step by step\n")
	p(".SH SYNOPSIS\n")
	p(".B ftptrace\n[\\fIVIEW\\fR] [\\fIflags\\fR] \\fIFILE\\fR|\\fIDIR\\fR|\\fB\\-\\fR ...\n.br\n")
	p(".B ftptrace\n[\\fIVIEW\\fR] [\\fIflags\\fR] \\fB\\-i\\fR \\fIIFACE\\fR\n.br\n")
	p(".B ftptrace \\-D\n.br\n.B ftptrace help\n[\\fIVIEW\\fR]\n.br\n")
	p(".B ftptrace completion\n\\fBbash\\fR|\\fBzsh\\fR|\\fBfish\\fR\n")
	p(".SH DESCRIPTION\n%s\n", roff(strings.SplitN(usageHead, "\n", 2)[0]))
	p(".PP\nftptrace reads pcap and pcapng captures (gzip'd too), standard input (\\fB\\-\\fR), a directory (the captures in it, in the order of their first packet, read as one capture: rotated \\fBtcpdump \\-G\\fR or \\fB\\-C\\fR files), or captures live on an interface.\n")
	p(".SH VIEWS\n")
	for _, v := range viewDocs {
		p(".TP\n.B %s\n%s\n", v.name, roff(v.long))
	}
	p(".SH OPTIONS\n")
	for _, g := range flagGroups {
		p(".SS %s\n", roff(g.title))
		for _, name := range g.names {
			f := fs.Lookup(name)
			arg, usage := flag.UnquoteUsage(f)
			if _, isBool := f.Value.(interface{ IsBoolFlag() bool }); isBool {
				arg = ""
			}
			if def := defaultNote(f); def != "" {
				usage += " (default " + def + ")"
			}
			p(".TP\n\\fB%s\\fR", roff(dashes(f.Name)))
			if arg != "" {
				p(" \\fI%s\\fR", roff(arg))
			}
			p("\n%s\n", roff(usage))
		}
	}
	p(".SH \"COMMAND COMPLETION\"\n%s\n", roff("ftptrace completion bash, zsh or fish writes a script that completes the views, the flags, their values and the interface names; make install puts them where the shells look."))
	p(".SH NAMES\n%s\n", roff(namesNote))
	p(".SH \"EXIT STATUS\"\n%s\n", roff(strings.TrimPrefix(exitNote, "Exit status: ")))
	p(".SH ENVIRONMENT\n")
	p(".TP\n.B NO_COLOR\n%s\n", roff("when set, no colour with --color auto (the default)."))
	p(".TP\n.B LANG, LC_ALL, LC_MESSAGES\n%s\n", roff("a zh locale makes Chinese the default of --lang."))
	p(".SH EXAMPLES\n")
	for _, v := range viewDocs {
		p(".PP\n.nf\n%s\n.fi\n", roff(v.example))
	}
	p(".PP\n.nf\n%s\n.fi\n", roff("tcpdump -i eth0 -w - port 21 | ftptrace -"))
	p(".SH \"SEE ALSO\"\n.BR tcpdump (8),\n.BR tshark (1),\n.BR wireshark (1)\n")
}

// roff escapes text for a man page: backslashes and hyphens, and a line
// that would start with a control character.
func roff(s string) string {
	s = strings.ReplaceAll(s, `\`, `\e`)
	s = strings.ReplaceAll(s, "-", `\-`)
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, ".") || strings.HasPrefix(l, "'") {
			lines[i] = `\&` + l
		}
	}
	return strings.Join(lines, "\n")
}
