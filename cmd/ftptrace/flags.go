package main

import (
	"flag"
	"io"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/ftptrace/ftptrace/analyzer"
	"github.com/ftptrace/ftptrace/reassembly"
	"github.com/ftptrace/ftptrace/report"
)

var views = []string{"timeline", "sessions", "transfers", "creds", "summary", "ladder", "report", "diagnose", "latency"}

type config struct {
	view  string
	files []string
	json  bool
	// format is --format: "" for the view's text, or one of formats
	// (formats.go).
	format string
	// records are the JSON record types written: the view's (viewRecords),
	// or --records.
	records report.Records
	brief   bool
	ports   []uint16

	redact     bool
	lang       string
	maxSteps   int
	maxConns   int
	failOn     string
	bruteForce int

	extract         string
	extractListings bool
	extractMax      int64

	// Live capture.
	iface      string
	listIfaces bool
	bpf        string
	writeFile  string // -w: live, every packet; files, the selected sessions' packets
	noPromisc  bool
	snaplen    int64
	bufferKiB  int   // -B: the kernel's capture buffer, KiB
	ring       int64 // --ring: the live ring's bound, bytes
	duration   time.Duration
	count      int // -c: packets read, live or from files

	// --each: every file (or directory) given is a capture of its own,
	// analysed -j at once (parallel.go).
	each bool
	jobs int

	output string // -o: write here instead of stdout
	html   bool   // ladder: the HTML report (the report view) instead of the SVG

	// Narrowing: which sessions every view shows (select.go).
	sessions []int
	hosts    []netip.Prefix
	users    []string
	since    time.Time
	until    time.Time

	width int    // --width: columns of the tables, 0 when not given
	color string // --color: never, auto, always

	set map[string]bool // the flags given on the command line
}

// draws tells the views that draw sessions: the ladder's SVG, and the
// HTML report (ladder --html is the report).
func (cfg *config) draws() bool { return cfg.view == "ladder" || cfg.view == "report" }

// errHelp asks for the usage on standard output, of a view or of all.
type errHelp struct{ view string }

func (e errHelp) Error() string { return "help requested" }

// errCompletion asks for a shell's completion script; errMan for the
// manual page (ftptrace help man, which make man writes to docs/ftptrace.1).
type errCompletion struct{ shell string }

func (e errCompletion) Error() string { return "completion requested" }

var errMan = errorf("manual page requested")

// errVersion asks for the version.
var errVersion = errorf("version requested")

// viewRecords are the JSON records each view writes with --json: the
// records its text is made from.
var viewRecords = map[string]report.Records{
	"timeline":  report.AllRecords,
	"sessions":  report.RecordSession,
	"transfers": report.RecordTransfer,
	"creds":     report.RecordCredential | report.RecordFinding,
	"summary":   report.RecordSummary | report.RecordFinding,
	"diagnose":  report.RecordDiagnosis | report.RecordSummary,
	"latency":   report.RecordLatency | report.RecordSummary,
}

// flagVars holds what the flags parse into before it is checked and
// moved into config.
type flagVars struct {
	records, ports, failOn                 string
	sessions, hosts, users                 []string
	since, until                           string
	numeric, version, help, portsOnly, nop bool
}

// newFlagSet defines every flag; help.go groups them for -h and the man page.
func newFlagSet(cfg *config, v *flagVars) *flag.FlagSet {
	fs := flag.NewFlagSet("ftptrace", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	// Input.
	fs.Var(fileValue{&cfg.files}, "r", "read the capture `FILE` (as a file named without -r; tcpdump's and tshark's habit)")
	fs.IntVar(&cfg.count, "c", 0, "stop after `N` packets, read from files or captured live")
	fs.IntVar(&cfg.count, "count", 0, "the same as -c")
	fs.BoolVar(&cfg.each, "each", false, "every FILE or directory is a capture of its own (one per sensor): analysed in parallel, output in the order given")
	fs.IntVar(&cfg.jobs, "j", 0, "with --each, `N` captures analysed at once (default: the number of cores)")
	fs.BoolVar(&v.nop, "n", false, "accepted for tcpdump's habit: ftptrace never resolves names, addresses are always shown as numbers")
	fs.StringVar(&cfg.iface, "i", "", "capture live on `IFACE`, by name or by the number -D prints (root or CAP_NET_RAW)")
	fs.BoolVar(&cfg.listIfaces, "D", false, "list the interfaces ftptrace can capture on, numbered")
	fs.StringVar(&cfg.bpf, "bpf", "tcp", "with -i, the capture filter (BPF `EXPR`; keep the data connections in it)")
	fs.BoolVar(&cfg.noPromisc, "no-promisc", false, "with -i, do not put the interface in promiscuous mode")
	fs.Var(sizeValue{&cfg.snaplen}, "snaplen", "with -i, bytes kept per packet, `SIZE` 1 to 256KiB (64KiB works)")
	fs.IntVar(&cfg.bufferKiB, "B", reassembly.DefaultBufferKiB, "with -i, the kernel's capture buffer in `KIB` (tcpdump's -B): what a burst fills while the analysis catches up")
	cfg.ring = defaultRing
	fs.Var(sizeValue{&cfg.ring}, "ring", "with -i, the most memory, `SIZE` (16MiB or more), that packets captured ahead of the analysis may take when it lags, as a fast transfer's SHA-256 does, before the kernel's buffer fills")
	fs.DurationVar(&cfg.duration, "duration", 0, "with -i, stop after this long: a `DURATION` such as 30s or 5m")
	// Narrowing.
	fs.Var(listValue{&v.sessions}, "session", "show only session `N` (N,M or N-M for several); the ladder draws the first")
	fs.Var(listValue{&v.hosts}, "host", "show only sessions with this client or server `ADDR` (an IP address or a prefix such as 10.0.0.0/8)")
	fs.Var(listValue{&v.users}, "user", "show only sessions that logged in (or tried) as `NAME`")
	fs.StringVar(&v.since, "since", "", "show only sessions still open at `TIME` or later (UTC: 2008-11-05 10:00:02)")
	fs.StringVar(&v.until, "until", "", "show only sessions begun by `TIME` (UTC)")
	// Output.
	fs.BoolVar(&cfg.json, "json", false, "JSON Lines instead of text: the view's records (the timeline's: all of them, with each transfer's SHA-256)")
	fs.StringVar(&cfg.format, "format", "", "write `FORMAT` instead of the view's text: "+strings.Join(formatNames(), ", "))
	fs.StringVar(&v.records, "records", "", "with --json, the record `TYPES` to write, comma-separated: "+strings.Join(report.RecordTypes(), ", "))
	fs.BoolVar(&cfg.brief, "brief", false, "timeline without stand-alone ACK steps")
	fs.StringVar(&cfg.lang, "lang", report.LanguageFromEnv(), "the `LANGUAGE` of what ftptrace says: "+strings.Join(report.Languages(), ", ")+" (default from LANG)")
	fs.BoolVar(&cfg.redact, "redact", false, "mask passwords in every output (keeps whether empty and the length class)")
	fs.IntVar(&cfg.width, "width", 0, "tables `N` columns wide (default: the terminal's width, 80 when not a terminal; 0: no limit)")
	fs.StringVar(&cfg.color, "color", "auto", "colour `WHEN`: never, auto (on a terminal, unless NO_COLOR is set), always")
	fs.StringVar(&cfg.output, "o", "", "write the output to `FILE` instead of standard output")
	fs.StringVar(&cfg.writeFile, "w", "", "save packets to `FILE` (pcap): with -i, every packet captured; with files, the packets of the sessions shown (control and data connections)")
	fs.BoolVar(&cfg.html, "html", false, "with ladder, a self-contained HTML report instead of the SVG")
	// Analysis.
	fs.StringVar(&v.ports, "ports", "", "comma-separated control `PORTS` to treat as FTP besides 21")
	fs.StringVar(&v.failOn, "fail-on", "", "exit 3 when `WHAT` is seen: cleartext (a clear-text password), findings (a warning or critical finding), critical")
	fs.IntVar(&cfg.bruteForce, "brute-force", analyzer.DefaultBruteForce, "failed logins from one client to one server that make a brute-force finding, `N` 1 or more")
	fs.IntVar(&cfg.maxSteps, "max-steps", analyzer.DefaultLimits.Steps, "timeline steps kept per session, `N` 1 or more (more are counted and reported)")
	fs.IntVar(&cfg.maxConns, "max-conns", reassembly.DefaultOptions.MaxConnections, "TCP connections followed at once, `N` 1 or more (bounds memory)")
	// Extraction.
	fs.StringVar(&cfg.extract, "extract", "", "write every transferred file under `DIR` (never outside it)")
	fs.BoolVar(&cfg.extractListings, "extract-listings", false, "with --extract, also write LIST/NLST/MLSD output as files")
	cfg.extractMax = report.DefaultExtractMax
	fs.Var(sizeValue{&cfg.extractMax}, "extract-max", "with --extract, bytes written in all, holes included: `SIZE` such as 500MB or 2GiB (0: no bound)")
	// Help.
	fs.BoolVar(&v.help, "h", false, "this help; ftptrace VIEW -h, or ftptrace help VIEW, for one view's")
	fs.BoolVar(&v.help, "help", false, "the same as -h")
	fs.BoolVar(&v.version, "version", false, "print the version and exit")
	return fs
}

// parseArgs accepts flags before, between and after the view and the files.
func parseArgs(args []string) (*config, error) {
	cfg := &config{view: "timeline", set: map[string]bool{}}
	v := &flagVars{}
	fs := newFlagSet(cfg, v)
	// Errors in the flags are said in the language asked for, if any.
	report.SetLanguage(langIn(args, cfg.lang))
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, flagError(fs, err)
		}
		args = fs.Args()
		if len(args) == 0 {
			break
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
	fs.Visit(func(f *flag.Flag) { cfg.set[f.Name] = true })
	if v.version {
		return nil, errVersion
	}
	if len(positional) > 0 && positional[0] == "completion" {
		if len(positional) != 2 {
			return nil, errorf("completion: give the shell: ftptrace completion bash, zsh or fish")
		}
		return nil, errCompletion{positional[1]}
	}
	if len(positional) > 1 && positional[0] == "help" && positional[1] == "man" {
		return nil, errMan
	}
	if len(positional) > 0 && positional[0] == "help" {
		if len(positional) > 1 {
			if !isView(positional[1]) {
				return nil, unknownView(positional[1])
			}
			return nil, errHelp{positional[1]}
		}
		return nil, errHelp{}
	}
	viewGiven := len(positional) > 0 && isView(positional[0])
	if viewGiven {
		cfg.view, positional = positional[0], positional[1:]
	}
	if v.help {
		if !viewGiven {
			return nil, errHelp{}
		}
		return nil, errHelp{cfg.view}
	}
	if len(positional) > 0 {
		if err := notAFileButAView(positional[0]); err != nil {
			return nil, err
		}
	}
	cfg.files = append(cfg.files, positional...)
	if err := cfg.check(v); err != nil {
		return nil, err
	}
	return cfg, nil
}

// langIn finds --lang in the arguments before they are parsed.
func langIn(args []string, def string) string {
	for i, a := range args {
		a = strings.TrimLeft(a, "-")
		if v, ok := strings.CutPrefix(a, "lang="); ok {
			return v
		}
		if a == "lang" && i+1 < len(args) {
			return args[i+1]
		}
	}
	return def
}

// flagError turns the flag package's message into one line with a pointer
// to -h (and a guess at the flag meant), instead of the whole usage.
func flagError(fs *flag.FlagSet, err error) error {
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: -"); ok {
		var names []string
		fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
		guess := ""
		if c := closest(strings.TrimLeft(name, "-"), names); c != "" {
			guess = report.Tr("; did you mean %s?", dashes(c))
		}
		return errorf("unknown flag -%s%s (ftptrace -h lists the flags)", name, guess)
	}
	if name, ok := strings.CutPrefix(msg, "flag needs an argument: -"); ok {
		return errorf("flag %s needs a value (ftptrace -h says which)", dashes(name))
	}
	// "invalid value "x" for flag -max-conns: parse error"
	msg = strings.Replace(msg, ": parse error", ": not a number", 1)
	msg = strings.Replace(msg, "invalid boolean value", "invalid value", 1)
	return errorf("%s (ftptrace -h says what each flag takes)", msg)
}

// dashes writes a flag as the help shows it: -r, --json.
func dashes(name string) string {
	if len(name) == 1 {
		return "-" + name
	}
	return "--" + name
}

func isView(s string) bool {
	for _, v := range views {
		if s == v {
			return true
		}
	}
	return false
}

// notAFileButAView catches a mistyped view: a word that is no file and
// looks like a view is an error saying which, not "no such file".
func notAFileButAView(word string) error {
	if word == "-" || strings.ContainsAny(word, "/.") {
		return nil
	}
	if _, err := os.Stat(word); err == nil {
		return nil
	}
	return unknownView(word)
}

func unknownView(word string) error {
	if c := closest(word, views); c != "" {
		return errorf("unknown view %q: did you mean %s? (views: %s)", word, c, strings.Join(views, ", "))
	}
	return errorf("%q is neither a view (%s) nor a capture file", word, strings.Join(views, ", "))
}

// check validates the values and the combinations of flags, so that no
// flag is silently ignored, and fills config from flagVars.
func (cfg *config) check(v *flagVars) error {
	if err := cfg.checkNumbers(); err != nil {
		return err
	}
	if err := cfg.checkInput(); err != nil {
		return err
	}
	if err := cfg.checkViewFlags(v); err != nil {
		return err
	}
	if err := cfg.checkNarrowing(v); err != nil {
		return err
	}
	if err := report.SetLanguage(cfg.lang); err != nil {
		return err
	}
	switch v.failOn {
	case "", "cleartext", "findings", "critical":
		cfg.failOn = v.failOn
	default:
		return errorf("--fail-on %q: use cleartext, findings or critical", v.failOn)
	}
	switch cfg.color {
	case "never", "auto", "always":
	default:
		return errorf("--color %q: use never, auto or always", cfg.color)
	}
	if v.ports != "" {
		for _, p := range strings.Split(v.ports, ",") {
			n, err := strconv.ParseUint(strings.TrimSpace(p), 10, 16)
			if err != nil || n == 0 {
				return errorf("--ports: %q is not a TCP port (1-65535)", p)
			}
			cfg.ports = append(cfg.ports, uint16(n))
		}
	}
	return nil
}

// checkInput checks what is read and the flags that only make sense for
// live capture or only for files.
func (cfg *config) checkInput() error {
	switch {
	case cfg.listIfaces:
		return nil
	case cfg.iface != "" && len(cfg.files) > 0:
		return errorf("give either -i %s or capture files, not both", cfg.iface)
	case cfg.iface != "" && cfg.extract != "":
		return errorf("--extract works on capture files; save the live capture with -w and extract from the file")
	case cfg.iface == "" && len(cfg.files) == 0:
		return errorf("no capture file given (use '-' for standard input, or -i IFACE to capture live; ftptrace -h for more)")
	}
	if cfg.iface != "" && (cfg.draws() || cfg.output != "") {
		return errorf("%s and -o read capture files: record with -i IFACE -w FILE first, then draw FILE", cfg.view)
	}
	if cfg.iface == "" {
		for _, name := range []string{"bpf", "no-promisc", "snaplen", "B", "ring", "duration"} {
			if cfg.set[name] {
				return errorf("%s applies to live capture (-i IFACE), not to capture files; to filter a file, narrow with --session, --host, --user, --since, --until", dashes(name))
			}
		}
	}
	if cfg.writeFile != "" && cfg.writeFile == cfg.output {
		return errorf("-w and -o both name %s: give them different files", cfg.writeFile)
	}
	return nil
}

// checkNumbers holds each number to its range (a usage error otherwise).
func (cfg *config) checkNumbers() error {
	for _, c := range []struct {
		name   string
		n      int64
		lo, hi int64
		what   string
	}{
		{"--max-conns", int64(cfg.maxConns), 1, 0, "a number of connections"},
		{"--max-steps", int64(cfg.maxSteps), 1, 0, "a number of steps"},
		{"--brute-force", int64(cfg.bruteForce), 1, 0, "a number of failed logins"},
		{"--extract-max", cfg.extractMax, 0, 0, "a size in bytes (0: no bound)"},
		{"-c", int64(cfg.count), 0, 0, "a number of packets (0: no limit)"},
		{"-B", int64(cfg.bufferKiB), 1, 16 << 20, "a buffer size in KiB"},
		{"--width", int64(cfg.width), 0, 100000, "a number of columns (0: no limit)"},
	} {
		if err := intRange(c.name, c.n, c.lo, c.hi, c.what); err != nil {
			return err
		}
	}
	if cfg.ring < reassembly.LiveRingMin {
		return errorf("--ring %s: give %s or more", humanSize(cfg.ring), humanSize(reassembly.LiveRingMin))
	}
	if cfg.set["snaplen"] {
		if err := intRange("--snaplen", cfg.snaplen, 1, reassembly.DefaultSnaplen, "a number of bytes per packet"); err != nil {
			return err
		}
	}
	if cfg.width > 0 && cfg.width < minWidth {
		return errorf("--width %d: give %d columns or more (0: no limit)", cfg.width, minWidth)
	}
	if cfg.duration < 0 {
		return errorf("--duration %v: give a positive duration (30s, 5m)", cfg.duration)
	}
	return nil
}

// checkViewFlags refuses the flags the chosen view or output ignores.
func (cfg *config) checkViewFlags(v *flagVars) error {
	if cfg.html && cfg.view != "ladder" {
		return errorf("--html goes with the ladder view: ftptrace ladder --html FILE")
	}
	if cfg.draws() && (cfg.json || v.records != "") {
		return errorf("the %s view draws SVG or HTML, not JSON: drop --json", cfg.view)
	}
	if err := cfg.checkFormat(); err != nil {
		return err
	}
	if err := cfg.checkJobs(); err != nil {
		return err
	}
	if cfg.brief && (cfg.view != "timeline" || cfg.json || cfg.logFormat()) {
		return errorf("--brief shortens the text timeline; the %s has no stand-alone ACK steps to leave out", viewWord(cfg))
	}
	if (cfg.set["width"] || cfg.set["color"]) && (cfg.json || cfg.draws() || cfg.logFormat()) {
		return errorf("--width and --color shape the text views; the %s has neither", viewWord(cfg))
	}
	if (cfg.extractListings || cfg.set["extract-max"]) && cfg.extract == "" {
		return errorf("--extract-listings and --extract-max go with --extract DIR")
	}
	cfg.records = viewRecords[cfg.view]
	if v.records != "" {
		if !cfg.json {
			return errorf("--records %s selects JSON records: add --json", v.records)
		}
		r, err := report.ParseRecords(v.records)
		if err != nil {
			return errorf("--records: %v", err)
		}
		cfg.records = r
	}
	return nil
}

func viewWord(cfg *config) string {
	if cfg.json {
		return report.Tr("JSON output")
	}
	if cfg.logFormat() {
		return report.Tr("--format %s output", cfg.format)
	}
	return report.Tr("%s view", cfg.view)
}

// checkNarrowing reads --session, --host, --user, --since and --until.
func (cfg *config) checkNarrowing(v *flagVars) error {
	var err error
	if cfg.sessions, err = parseSessions(v.sessions); err != nil {
		return err
	}
	for _, h := range v.hosts {
		p, err := netip.ParsePrefix(h)
		if err != nil {
			a, aerr := netip.ParseAddr(strings.Trim(h, "[]"))
			if aerr != nil {
				return errorf("--host %q: give an IP address (10.0.0.5, 2001:db8::1) or a prefix (10.0.0.0/8); ftptrace never resolves names", h)
			}
			p = netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen())
		}
		cfg.hosts = append(cfg.hosts, p.Masked())
	}
	cfg.users = v.users
	if v.since != "" {
		if cfg.since, err = parseTime("since", v.since); err != nil {
			return err
		}
	}
	if v.until != "" {
		if cfg.until, err = parseTime("until", v.until); err != nil {
			return err
		}
	}
	if !cfg.since.IsZero() && !cfg.until.IsZero() && cfg.until.Before(cfg.since) {
		return errorf("--until %s is before --since %s", v.until, v.since)
	}
	return nil
}

// minWidth is the narrowest table --width accepts.
const minWidth = 40
