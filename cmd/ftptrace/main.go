// Command ftptrace reads network traffic and explains every FTP session in
// it, step by step: handshakes, commands, replies, data connections,
// teardowns, and the passwords that crossed the wire in clear text.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"runtime/trace"
	"strconv"
	"strings"
	"time"

	"github.com/ftptrace/ftptrace/analyzer"
	"github.com/ftptrace/ftptrace/reassembly"
	"github.com/ftptrace/ftptrace/report"
)

// Exit statuses (DESIGN.md).
const (
	exitOK     = 0
	exitError  = 1
	exitUsage  = 2
	exitFailOn = 3
)

var views = []string{"timeline", "sessions", "transfers", "creds", "summary", "ladder", "report", "diagnose", "latency"}

// laterViews are in DESIGN.md but not built yet: say so instead of treating
// the word as a file name.
var laterViews []string

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
	writeFile  string
	noPromisc  bool
	snaplen    int
	duration   time.Duration
	count      int

	// --each: every file (or directory) given is a capture of its own,
	// analysed -j at once (parallel.go).
	each bool
	jobs int

	output  string // -o: write here instead of stdout
	html    bool   // ladder: the HTML report (the report view) instead of the SVG
	session int    // ladder: the session to draw, 0 for the first; report: the only session shown
}

// draws tells the views that draw sessions: the ladder's SVG, and the
// HTML report (ladder --html is the report).
func (cfg *config) draws() bool { return cfg.view == "ladder" || cfg.view == "report" }

const usageText = `ftptrace explains every FTP session in a capture, step by step.

Usage:
  ftptrace [VIEW] [flags] FILE...     analyze captures: pcap, pcapng, NetMon, iSeries; gzip'd; '-' is stdin
  ftptrace [VIEW] [flags] -i IFACE    capture live (root or CAP_NET_RAW); Ctrl-C stops
  ftptrace -D                         list interfaces

Views:
  timeline   numbered steps of every session, with conclusions (default)
  sessions   one row per session: endpoints, user, login, duration, bytes, how it ended
  transfers  one row per data transfer: command, path, mode, bytes, rate, reply, verdict
  creds      one row per login attempt (user, password, outcome, clear text or not), then findings
  summary    totals for the whole capture, with the findings
  ladder     sequence diagram of one session as SVG (-o session.svg); ladder --html is report
  report     the report to share, one self-contained HTML page (-o report.html): summary,
             findings, an index of the sessions, each session's diagram and timeline
  diagnose   why sessions failed, hung or crawled: one block per problem with its cause,
             the evidence (steps, frames) and the fix; --json: diagnosis records
  latency    per session: round trip from the handshakes, each command's wait split into
             network and server time, the slowest commands, each data connection's timing

Flags:
`

func main() {
	setUpCollector()
	// For performance work (see BENCHMARKS.md): FTPTRACE_CPUPROFILE=FILE
	// writes a CPU profile for go tool pprof, FTPTRACE_TRACE=FILE an
	// execution trace for go tool trace (which goroutine ran when, and what
	// each waited for), FTPTRACE_MEMPROFILE=FILE the heap profile when the
	// run ends (allocations since the start, and what is still held),
	// FTPTRACE_GCSTATS=FILE one line of what the collector cost
	// (gcstats.go).
	profile("FTPTRACE_CPUPROFILE", pprof.StartCPUProfile, func(io.Writer) { pprof.StopCPUProfile() })
	profile("FTPTRACE_TRACE", trace.Start, func(io.Writer) { trace.Stop() })
	profile("FTPTRACE_MEMPROFILE", func(io.Writer) error { return nil },
		func(w io.Writer) { pprof.Lookup("allocs").WriteTo(w, 0) })
	os.Exit(gcStatsAtExit(run(os.Args[1:], os.Stdout, os.Stderr)))
}

// profile runs the analysis between start and stop, writing to the file
// the environment variable names, and exits; it returns when the variable
// is unset or the file cannot be created.
func profile(env string, start func(io.Writer) error, stop func(io.Writer)) {
	path := os.Getenv(env)
	if path == "" {
		return
	}
	f, err := os.Create(path)
	if err != nil {
		fmt.Fprintf(os.Stderr, "ftptrace: %s: %v\n", env, err)
		return
	}
	start(f)
	code := gcStatsAtExit(run(os.Args[1:], os.Stdout, os.Stderr))
	stop(f)
	f.Close()
	os.Exit(code)
}

// showsHashes tells whether the output shows the SHA-256 of transfers:
// only the JSON records carry it, and hashing is most of the work per byte
// of a large capture, so the other views skip it.
func (cfg *config) showsHashes() bool {
	return cfg.json && cfg.records.Has(report.RecordTransfer) || cfg.logFormat()
}

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

// parseArgs accepts flags before, between and after the view and the files.
func parseArgs(args []string, stderr io.Writer) (*config, error) {
	cfg := &config{view: "timeline"}
	fs := flag.NewFlagSet("ftptrace", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.BoolVar(&cfg.json, "json", false, "JSON Lines on stdout instead of text: the view's records (the timeline's: all of them, with each transfer's SHA-256)")
	fs.StringVar(&cfg.format, "format", "", "write `FORMAT` instead of the view's text: "+strings.Join(formatNames(), ", "))
	recordList := fs.String("records", "", "with --json, the record `TYPES` to write, comma-separated: "+strings.Join(report.RecordTypes(), ", "))
	fs.BoolVar(&cfg.brief, "brief", false, "timeline without stand-alone ACK steps")
	portList := fs.String("ports", "", "comma-separated control `ports` to treat as FTP besides 21")
	fs.StringVar(&cfg.lang, "lang", report.LanguageFromEnv(), "language of the sentences: "+strings.Join(report.Languages(), ", ")+" (default from LANG)")
	fs.BoolVar(&cfg.redact, "redact", false, "mask passwords in every output (keeps whether empty and the length class)")
	fs.StringVar(&cfg.failOn, "fail-on", "", "exit 3 when `WHAT` is seen: cleartext (a clear-text password), findings (a warning or critical finding), critical")
	fs.IntVar(&cfg.bruteForce, "brute-force", analyzer.DefaultBruteForce, "failed logins from one client to one server that make a brute-force finding")
	fs.IntVar(&cfg.maxSteps, "max-steps", analyzer.DefaultLimits.Steps, "timeline steps kept per session (more are counted and reported)")
	fs.IntVar(&cfg.maxConns, "max-conns", reassembly.DefaultOptions.MaxConnections, "TCP connections followed at once (bounds memory)")
	fs.StringVar(&cfg.iface, "i", "", "capture live on `IFACE` (root or CAP_NET_RAW); prints sessions as they happen")
	fs.BoolVar(&cfg.listIfaces, "D", false, "list the interfaces ftptrace can capture on")
	fs.StringVar(&cfg.bpf, "bpf", "tcp", "capture filter for -i (BPF `EXPR`; keep data connections in it)")
	fs.StringVar(&cfg.writeFile, "w", "", "with -i, also save the captured packets to `FILE` (pcap)")
	fs.BoolVar(&cfg.noPromisc, "no-promisc", false, "with -i, do not put the interface in promiscuous mode")
	fs.IntVar(&cfg.snaplen, "snaplen", reassembly.DefaultSnaplen, "with -i, bytes kept per packet")
	fs.DurationVar(&cfg.duration, "duration", 0, "with -i, stop after this long (e.g. 30s, 5m)")
	fs.IntVar(&cfg.count, "count", 0, "with -i, stop after this many packets")
	fs.StringVar(&cfg.extract, "extract", "", "write every transferred file under `DIR` (never outside it)")
	fs.BoolVar(&cfg.extractListings, "extract-listings", false, "with --extract, also write LIST/NLST/MLSD output as files")
	fs.Int64Var(&cfg.extractMax, "extract-max", report.DefaultExtractMax, "with --extract, write files of at most this many `bytes` in all, holes included (0: no bound)")
	fs.BoolVar(&cfg.each, "each", false, "every FILE or directory is a capture of its own (one per sensor): analysed in parallel, output in the order given")
	fs.IntVar(&cfg.jobs, "j", 0, "with --each, captures analysed at once (default: the number of cores)")
	fs.StringVar(&cfg.output, "o", "", "write the output to `FILE` instead of standard output")
	fs.BoolVar(&cfg.html, "html", false, "with ladder, write a self-contained HTML report instead of the SVG")
	fs.IntVar(&cfg.session, "session", 0, "with ladder, draw session `N` (default: the first)")
	fs.Usage = func() {
		fmt.Fprint(stderr, usageText)
		fs.PrintDefaults()
		fmt.Fprint(stderr, "\nExit status: 0 analysed, 1 error or damaged capture (partial results), 2 usage error,\n3 the --fail-on condition was met.\n")
	}
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			break
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
	if len(positional) > 0 && isView(positional[0]) {
		cfg.view, positional = positional[0], positional[1:]
	} else if len(positional) > 0 {
		for _, v := range laterViews {
			if positional[0] == v {
				if _, err := os.Stat(v); err != nil {
					return nil, fmt.Errorf("the %s view is not available yet; views: %s", v, strings.Join(views, ", "))
				}
			}
		}
	}
	cfg.files = positional
	switch {
	case cfg.listIfaces:
	case cfg.iface != "" && len(cfg.files) > 0:
		return nil, fmt.Errorf("give either -i %s or capture files, not both", cfg.iface)
	case cfg.iface != "" && cfg.extract != "":
		return nil, errors.New("--extract works on capture files; save the live capture with -w and extract from the file")
	case cfg.iface == "" && len(cfg.files) == 0:
		fs.Usage()
		return nil, errors.New("no capture file given (use '-' for standard input, or -i IFACE to capture live)")
	}
	if cfg.html && cfg.view != "ladder" || cfg.session != 0 && !cfg.draws() {
		return nil, errors.New("--html and --session go with the ladder and report views: ftptrace report FILE -o report.html")
	}
	if cfg.iface != "" && (cfg.draws() || cfg.output != "") {
		return nil, fmt.Errorf("%s and -o read capture files: record with -i IFACE -w FILE first, then draw FILE", cfg.view)
	}
	if cfg.draws() && (cfg.json || *recordList != "") {
		return nil, fmt.Errorf("the %s view draws SVG or HTML, not JSON: drop --json", cfg.view)
	}
	if err := cfg.checkFormat(); err != nil {
		return nil, err
	}
	if err := cfg.checkJobs(); err != nil {
		return nil, err
	}
	cfg.records = viewRecords[cfg.view]
	if *recordList != "" {
		if !cfg.json {
			return nil, fmt.Errorf("--records %s selects JSON records: add --json", *recordList)
		}
		r, err := report.ParseRecords(*recordList)
		if err != nil {
			return nil, fmt.Errorf("--records: %w", err)
		}
		cfg.records = r
	}
	if cfg.session < 0 {
		return nil, fmt.Errorf("--session %d: give a session number, 1 or more", cfg.session)
	}
	if err := report.SetLanguage(cfg.lang); err != nil {
		return nil, err
	}
	switch cfg.failOn {
	case "", "cleartext", "findings", "critical":
	default:
		return nil, fmt.Errorf("--fail-on %q: use cleartext, findings or critical", cfg.failOn)
	}
	if cfg.bruteForce < 1 {
		return nil, fmt.Errorf("--brute-force %d: give a number of failed logins, 1 or more", cfg.bruteForce)
	}
	if *portList != "" {
		for _, p := range strings.Split(*portList, ",") {
			n, err := strconv.ParseUint(strings.TrimSpace(p), 10, 16)
			if err != nil || n == 0 {
				return nil, fmt.Errorf("--ports: %q is not a TCP port (1-65535)", p)
			}
			cfg.ports = append(cfg.ports, uint16(n))
		}
	}
	return cfg, nil
}

// failOnSession tells whether a session meets the --fail-on condition.
// Anonymous logins do not count as clear-text passwords: their "password"
// is no secret.
func failOnSession(what string, s *analyzer.Session) bool {
	switch what {
	case "cleartext":
		for _, c := range s.Credentials {
			if c.ExposesSecret() {
				return true
			}
		}
	case "findings", "critical":
		for _, f := range s.Findings {
			if failOnFinding(what, f) {
				return true
			}
		}
	}
	return false
}

// failOnFinding tells whether a finding meets --fail-on findings or
// critical.
func failOnFinding(what string, f analyzer.Finding) bool {
	return f.Severity == analyzer.SeverityCritical || (what == "findings" && f.Severity == analyzer.SeverityWarning)
}

func isView(s string) bool {
	for _, v := range views {
		if s == v {
			return true
		}
	}
	return false
}

func run(args []string, stdout, stderr io.Writer) int {
	cfg, err := parseArgs(args, stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		fmt.Fprintf(stderr, "ftptrace: %v\n", err)
		return exitUsage
	}
	if cfg.listIfaces {
		if err := listInterfaces(stdout); err != nil {
			fmt.Fprintf(stderr, "ftptrace: %v\n", err)
			return exitError
		}
		return exitOK
	}
	if cfg.iface != "" {
		return runLive(cfg, stdout, stderr)
	}
	if cfg.each {
		return runEach(cfg, stdout, stderr)
	}
	return runCapture(cfg, stdout, stderr)
}

// runCapture analyses the capture files of cfg, read in order as one
// capture, and writes the view.
func runCapture(cfg *config, stdout, stderr io.Writer) int {
	res := &result{}
	p := newPrinter(cfg, stdout, res)
	emit, wait := p.session, func() {}
	if p.streams() {
		emit, wait = inBackground(p.session)
	}
	r, err := analyze(cfg, emit)
	wait()
	if err != nil {
		fmt.Fprintf(stderr, "ftptrace: %v\n", err)
		return exitError
	}
	res.stats, res.warnings, res.partial, res.failed, res.cross = r.stats, r.warnings, r.partial, r.failed, r.cross
	if err := p.finish(); err != nil {
		fmt.Fprintf(stderr, "ftptrace: %v\n", err)
		if cfg.session != 0 {
			return exitUsage
		}
		return exitError
	}
	for _, w := range res.warnings {
		fmt.Fprintf(stderr, "ftptrace: warning: %s\n", w)
	}
	if res.failed != "" {
		fmt.Fprintf(stderr, "ftptrace: %s\n", res.failed)
		return exitError
	}
	if res.partial {
		return exitError
	}
	if res.failOn {
		return exitFailOn
	}
	return exitOK
}
