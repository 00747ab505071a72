// Command ftptrace reads network traffic and explains every FTP session in
// it, step by step: handshakes, commands, replies, data connections,
// teardowns, and the passwords that crossed the wire in clear text.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"runtime/trace"

	"github.com/ftptrace/ftptrace/analyzer"
	"github.com/ftptrace/ftptrace/report"
)

// Exit statuses (DESIGN.md).
const (
	exitOK     = 0
	exitError  = 1
	exitUsage  = 2
	exitFailOn = 3
)

func main() {
	setUpCollector()
	// For performance work (see BENCHMARKS.md): FTPTRACE_CPUPROFILE=FILE
	// writes a CPU profile for go tool pprof, FTPTRACE_TRACE=FILE an
	// execution trace for go tool trace (which goroutine ran when, and what
	// each waited for), FTPTRACE_MEMPROFILE=FILE the heap profile when the
	// run ends (allocations since the start, and what is still held),
	// FTPTRACE_GCSTATS=FILE one line of what the collector cost
	// (gcstats.go), FTPTRACE_HEAPPROFILES=PREFIX the heap profile every
	// second (heapprofiles.go).
	writeHeapProfiles()
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

// gatherAllFacts makes every view gather TCP facts, for the test that
// the views that skip them lose nothing.
var gatherAllFacts = false

// showsDiagnoses tells whether the output shows diagnoses or latencies
// (the diagnose and latency views, the timeline's closing lines, the
// report, their JSON records), which read what TCP showed of each
// connection (reassembly.Facts): the tables and the log formats skip
// gathering it.
func (cfg *config) showsDiagnoses() bool {
	if gatherAllFacts {
		return true
	}
	switch {
	case cfg.json:
		return cfg.records.Has(report.RecordDiagnosis) || cfg.records.Has(report.RecordLatency)
	case cfg.logFormat():
		return false
	}
	switch cfg.view {
	case "sessions", "transfers", "creds", "summary":
		return false
	}
	return true
}

// keepAll makes every view keep every step and every finding's detail,
// for the test that the views that keep less lose nothing.
var keepAll = false

// showsSteps tells whether the output reads the steps of a session (the
// timeline, JSON, the log formats, the diagrams, a diagnosis): the
// tables and the summary print none, and the analysis keeps only those
// the findings are made from (analyzer.Options.FindingStepsOnly).
func (cfg *config) showsSteps() bool {
	if keepAll || cfg.json || cfg.logFormat() {
		return true
	}
	switch cfg.view {
	case "sessions", "transfers", "creds", "summary":
		return false
	}
	return true
}

// showsFindingDetails tells whether the output writes each finding's detail
// (analyzer.Finding.Detail): the summary says its examples from their
// template (in the language asked for) and counts the others.
func (cfg *config) showsFindingDetails() bool {
	return keepAll || cfg.json || cfg.logFormat() || cfg.view != "summary"
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

func run(args []string, stdout, stderr io.Writer) int {
	cfg, err := parseArgs(args)
	var help errHelp
	var completion errCompletion
	switch {
	case errors.As(err, &completion):
		if err := writeCompletion(stdout, newFlagSet(&config{}, &flagVars{}), completion.shell); err != nil {
			fmt.Fprintf(stderr, "ftptrace: %s\n", message(err))
			return exitUsage
		}
		return exitOK
	case errors.Is(err, errMan):
		writeMan(stdout, newFlagSet(&config{}, &flagVars{}))
		return exitOK
	case errors.As(err, &help):
		fs := newFlagSet(&config{}, &flagVars{})
		if help.view == "" {
			writeUsage(stdout, fs)
		} else {
			writeViewUsage(stdout, fs, help.view)
		}
		return exitOK
	case errors.Is(err, errVersion):
		fmt.Fprintln(stdout, version())
		return exitOK
	case err != nil:
		fmt.Fprintf(stderr, "ftptrace: %s\n", message(err))
		return exitUsage
	}
	if cfg.listIfaces || cfg.iface != "" {
		return runLiveOrList(cfg, stdout, stderr)
	}
	if cfg.each {
		return runEach(cfg, stdout, stderr)
	}
	return runFiles(cfg, stdout, stderr)
}

// runLiveOrList is -D and -i.
func runLiveOrList(cfg *config, stdout, stderr io.Writer) int {
	if !liveCapture {
		fmt.Fprintln(stderr, "ftptrace: this ftptrace was built without cgo, so without libpcap: it reads capture files but cannot capture live; build one that can with: sudo apt-get install libpcap-dev && CGO_ENABLED=1 go build ./cmd/ftptrace (or make build)")
		return exitError
	}
	if cfg.listIfaces {
		if err := listInterfaces(stdout); err != nil {
			fmt.Fprintf(stderr, "ftptrace: %v\n", err)
			return exitError
		}
		return exitOK
	}
	iface, err := interfaceByNumber(cfg.iface)
	if err != nil {
		fmt.Fprintf(stderr, "ftptrace: %v\n", err)
		return exitUsage
	}
	cfg.iface = iface
	if err := refuseInputsAsOutputs(cfg, nil); err != nil {
		fmt.Fprintf(stderr, "ftptrace: %v\n", err)
		return exitUsage
	}
	return runLive(cfg, stdout, stderr)
}

// runFiles analyses capture files, directories of them, or standard input.
func runFiles(cfg *config, stdout, stderr io.Writer) int {
	fail := func(code int, err error) int {
		fmt.Fprintf(stderr, "ftptrace: %s\n", message(err))
		return code
	}
	inputs, err := expandInputs(cfg.files)
	if err != nil {
		return fail(exitError, err)
	}
	// Before anything is read: no output may destroy an input, and every
	// output must be writable.
	if err := refuseInputsAsOutputs(cfg, inputs); err != nil {
		return fail(exitUsage, err)
	}
	if cfg.writeFile != "" {
		for _, in := range inputs {
			if in.name == "-" {
				return fail(exitUsage, errorf("-w with standard input: -w reads the captures again to pick the selected sessions' packets; save the input to a file first"))
			}
		}
	}
	outName := cfg.output
	if cfg.logFormat() && outputDir(cfg) {
		outName = "" // Zeek's three logs go to files of their own in the directory
	}
	out, err := createOutput("-o", outName, stdout)
	if err != nil {
		return fail(exitError, err)
	}
	var pcapOut *outputFile
	if cfg.writeFile != "" {
		if pcapOut, err = createOutput("-w", cfg.writeFile, nil); err != nil {
			out.Abort()
			return fail(exitError, err)
		}
	}
	intr := catchInterrupts()
	defer intr.release()
	intr.onAbort(out.discard)
	intr.onAbort(pcapOut.discard)
	abort := func() { out.Abort(); pcapOut.Abort() }

	res := &result{}
	bar := newProgress(stderr, inputs)
	opts := printerOptions(cfg, stdout, inputs)
	opts.bar, opts.frames = bar, &frameIndex{}
	opts.stopped = func() bool { return intr.signal() != 0 }
	p := newPrinter(cfg, out, res, opts)
	emit, wait := p.session, func() {}
	if p.streams() {
		batch := sessionBatch
		if opts.flush {
			batch = 1 // each session out as soon as it ended
		}
		emit, wait = inBackground(p.session, batch)
	}
	r, err := analyze(cfg, inputs, intr, bar, opts.frames, emit)
	wait()
	bar.done()
	if err != nil {
		abort()
		if sig := intr.signal(); sig != 0 {
			fmt.Fprintf(stderr, "ftptrace: %s before any packet was read\n", report.Tr("interrupted (%s)", signalName(sig)))
			return 128 + int(sig)
		}
		return fail(exitError, err)
	}
	res.stats, res.warnings, res.partial, res.failed, res.cross = r.stats, r.warnings, r.partial, r.failed, r.cross
	if err := p.finish(); err != nil {
		pcapOut.Abort()
		return fail(p.errorStatus(), err)
	}
	if pcapOut != nil {
		n, err := writeSelected(pcapOut, inputs, p.conns, cfg.count)
		if err == nil {
			err = pcapOut.Close()
		}
		if err != nil {
			pcapOut.Abort()
			return fail(exitError, err)
		}
		fmt.Fprintf(stderr, "ftptrace: %s\n", report.Tr("%d packets of %s written to %s", n, report.Plural(res.shown, "session"), cfg.writeFile))
	}
	for _, w := range res.warnings {
		fmt.Fprintf(stderr, "ftptrace: %s %s\n", report.Tr("warning:"), w.Text())
	}
	if r.interrupted != "" {
		fmt.Fprintf(stderr, "ftptrace: %s\n", r.interrupted)
		return 128 + int(intr.signal())
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
