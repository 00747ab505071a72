package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// Every usage error is exit status 2 with one line on stderr that says
// what to do, and nothing on stdout.
func TestCLIUsageErrors(t *testing.T) {
	a := article()
	tests := []struct {
		name    string
		args    []string
		message string
	}{
		{"max-conns 0", []string{"--max-conns", "0", a}, "--max-conns 0: give a number of connections, 1 or more"},
		{"max-conns negative", []string{"--max-conns", "-5", a}, "--max-conns -5: give a number of connections, 1 or more"},
		{"max-steps -1", []string{"--max-steps", "-1", a}, "--max-steps -1: give a number of steps, 1 or more"},
		{"extract-max -1", []string{"--extract", t.TempDir(), "--extract-max", "-1", a}, "--extract-max -1: give a size in bytes (0: no bound), 0 or more"},
		{"snaplen -1", []string{"-i", "lo", "--snaplen", "-1"}, "--snaplen -1: give a number of bytes per packet, 1 to 262144"},
		{"snaplen too big", []string{"-i", "lo", "--snaplen", "1MiB"}, "--snaplen 1048576: give a number of bytes per packet, 1 to 262144"},
		{"ring too small", []string{"-i", "lo", "--ring", "1MiB"}, "--ring 1MiB: give 16MiB or more"},
		{"ring with a file", []string{"--ring", "2GiB", a}, "--ring applies to live capture"},
		{"bad size", []string{"--extract", t.TempDir(), "--extract-max", "lots", a}, `"lots" is not a size`},
		{"count negative", []string{"-c", "-1", a}, "-c -1: give a number of packets (0: no limit), 0 or more"},
		{"brute-force 0", []string{"--brute-force", "0", a}, "--brute-force 0: give a number of failed logins, 1 or more"},
		{"width too small", []string{"sessions", "--width", "10", a}, "--width 10: give 40 columns or more"},
		{"mistyped view", []string{"sesions", a}, `unknown view "sesions": did you mean sessions?`},
		{"mistyped view tranfers", []string{"tranfers", a}, "did you mean transfers?"},
		{"word that is no view", []string{"frobnicate", a}, `"frobnicate" is neither a view`},
		{"unknown flag", []string{"--jsno", a}, "unknown flag -jsno; did you mean --json? (ftptrace -h lists the flags)"},
		{"flag without value", []string{a, "--session"}, "flag --session needs a value"},
		{"bpf with a file", []string{"--bpf", "port 21", a}, "--bpf applies to live capture (-i IFACE), not to capture files"},
		{"duration with a file", []string{"--duration", "5s", a}, "--duration applies to live capture"},
		{"snaplen with a file", []string{"--snaplen", "64KiB", a}, "--snaplen applies to live capture"},
		{"no-promisc with a file", []string{"--no-promisc", a}, "--no-promisc applies to live capture"},
		{"brief with a table", []string{"sessions", "--brief", a}, "--brief shortens the text timeline"},
		{"width with json", []string{"--json", "--width", "100", a}, "--width and --color shape the text views"},
		{"extract-max without extract", []string{"--extract-max", "10MB", a}, "go with --extract DIR"},
		{"records without json", []string{"--records", "step", a}, "add --json"},
		{"html without ladder", []string{"--html", a}, "--html goes with the ladder view"},
		{"session 0", []string{"--session", "0", a}, "--session 0: give session numbers (1 or more)"},
		{"session range backwards", []string{"--session", "5-2", a}, "--session 5-2: give session numbers"},
		{"host name", []string{"--host", "ftp.example.com", a}, "ftptrace never resolves names"},
		{"since not a time", []string{"--since", "yesterday", a}, `--since "yesterday": give a time`},
		{"until before since", []string{"--since", "2008-11-05 11:00", "--until", "2008-11-05 10:00", a}, "is before --since"},
		{"color", []string{"--color", "sometimes", a}, `--color "sometimes": use never, auto or always`},
		{"no file", nil, "no capture file given"},
		{"-w and -o the same", []string{"-w", "x.pcap", "-o", "x.pcap", a}, "-w and -o both name x.pcap"},
		{"-w from stdin", []string{"-w", filepath.Join(t.TempDir(), "x.pcap"), "-"}, "-w with standard input"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, stderr, code := execCLI(t, nil, tt.args...)
			if code != exitUsage || !strings.Contains(stderr, tt.message) {
				t.Errorf("exit %d, stderr %q; want exit 2 and %q", code, stderr, tt.message)
			}
			if strings.Count(stderr, "\n") != 1 || out != "" {
				t.Errorf("want one line on stderr and nothing on stdout, got %q and %q", stderr, out)
			}
		})
	}
}

// The errors are said in the language asked for.
func TestCLIUsageErrorInChinese(t *testing.T) {
	_, stderr, code := execCLI(t, nil, "--lang", "zh", "--max-conns", "0", article())
	if code != exitUsage || !strings.Contains(stderr, "--max-conns 0：") {
		t.Errorf("exit %d, stderr %q; want the error in Chinese", code, stderr)
	}
}

// -h, help, help VIEW, VIEW -h and --version write to stdout and exit 0.
func TestCLIHelpAndVersion(t *testing.T) {
	tests := []struct {
		args []string
		want []string
	}{
		{[]string{"-h"}, []string{"Usage:", "Views:", "Narrowing", "--extract-max SIZE", "never resolves names", "Exit status:"}},
		{[]string{"--help"}, []string{"Usage:"}},
		{[]string{"help"}, []string{"Usage:", "ladder"}},
		{[]string{"help", "sessions"}, []string{"ftptrace sessions:", "Flags of this view:", "--width N"}},
		{[]string{"creds", "-h"}, []string{"ftptrace creds:", "--redact", "--fail-on"}},
		{[]string{"transfers", "--help", article()}, []string{"ftptrace transfers:", "--extract DIR"}},
		{[]string{"--version"}, []string{"ftptrace ", "live capture:"}},
	}
	for _, tt := range tests {
		out, stderr, code := execCLI(t, nil, tt.args...)
		if code != 0 || stderr != "" {
			t.Errorf("%v: exit %d, stderr %q", tt.args, code, stderr)
		}
		for _, w := range tt.want {
			if !strings.Contains(out, w) {
				t.Errorf("%v: stdout lacks %q:\n%s", tt.args, w, out)
			}
		}
	}
	if _, stderr, code := execCLI(t, nil, "help", "sesions"); code != exitUsage || !strings.Contains(stderr, "did you mean sessions?") {
		t.Errorf("help sesions: exit %d, %q", code, stderr)
	}
}

// The habits of tcpdump and tshark: -r FILE, -n, -c N.
func TestCLITcpdumpHabits(t *testing.T) {
	want, _, _ := execCLI(t, nil, "sessions", article())
	got, stderr, code := execCLI(t, nil, "sessions", "-n", "-r", article())
	if code != 0 || got != want {
		t.Errorf("sessions -n -r FILE: exit %d, stderr %q, output differs from sessions FILE", code, stderr)
	}
	type summary struct {
		Packets int `json:"packets"`
	}
	out, _, code := execCLI(t, nil, "--json", "--records", "summary", "-c", "20", article())
	if s := records[summary](t, out, "summary"); code != 0 || len(s) != 1 || s[0].Packets != 20 {
		t.Errorf("-c 20: exit %d, summary %+v, want 20 packets", code, s)
	}
	out, _, _ = execCLI(t, nil, "-c", "20", article())
	if !strings.Contains(out, "PASS 123456") || maxFrame(out) > 20 || maxFrame(out) < 18 {
		t.Errorf("-c 20 shows more or less than the first 20 packets:\n%s", out)
	}
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{"4096": 4096, "10MB": 10_000_000, "10mb": 10_000_000, "64KiB": 65536,
		"1.5GiB": 1610612736, "2G": 2_000_000_000, "0": 0, "512 B": 512, "-1": -1} {
		if got, err := parseSize(in); err != nil || got != want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "MB", "ten", "1e400", "99999999999TiB"} {
		if _, err := parseSize(bad); err == nil {
			t.Errorf("parseSize(%q) accepted", bad)
		}
	}
}

// maxFrame is the highest frame number a timeline names.
func maxFrame(timeline string) int {
	n := 0
	for _, m := range regexp.MustCompile(`frame (\d+)`).FindAllStringSubmatch(timeline, -1) {
		k, _ := strconv.Atoi(m[1])
		n = max(n, k)
	}
	return n
}

// -i N is the Nth interface of the list -D prints, as in tcpdump; sizes
// take suffixes.
func TestCLIInterfaceByNumber(t *testing.T) {
	list, _, code := execCLI(t, nil, "-D")
	if code != 0 || !strings.HasPrefix(list, "1. ") {
		t.Fatalf("-D: exit %d\n%s", code, list)
	}
	n := strings.Count(list, "\n")
	_, stderr, code := execCLI(t, nil, "-i", "999", "--snaplen", "64KiB")
	if want := "-i 999: there are " + strconv.Itoa(n) + " interfaces (ftptrace -D lists them, numbered)"; code != exitUsage || !strings.Contains(stderr, want) {
		t.Errorf("-i 999: exit %d, %q; want %q", code, stderr, want)
	}
	if os.Geteuid() != 0 {
		return
	}
	first := strings.Fields(strings.SplitN(list, "\n", 2)[0])[1]
	_, stderr, code = execCLI(t, nil, "-i", "1", "--duration", "200ms", "--snaplen", "64KiB")
	if code != 0 || !strings.Contains(stderr, "capturing on "+first+" ") {
		t.Errorf("-i 1: exit %d, %q; want a capture on %s", code, stderr, first)
	}
}
