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
	"strconv"
	"strings"
)

// Exit statuses (DESIGN.md).
const (
	exitOK     = 0
	exitError  = 1
	exitUsage  = 2
	exitFailOn = 3
)

var views = []string{"timeline", "sessions", "transfers", "summary"}

// laterViews are in DESIGN.md but not built yet: say so instead of treating
// the word as a file name.
var laterViews = []string{"creds", "ladder"}

type config struct {
	view  string
	files []string
	json  bool
	brief bool
	ports []uint16

	extract         string
	extractListings bool
	extractMax      int64
}

const usageText = `ftptrace explains every FTP session in a capture, step by step.

Usage:
  ftptrace [VIEW] [flags] FILE...     analyze pcap or pcapng files (gzip'd too; '-' is stdin)

Views:
  timeline   numbered steps of every session, with conclusions (default)
  sessions   one row per session: endpoints, user, login, duration, bytes, how it ended
  transfers  one row per data transfer: command, path, mode, bytes, rate, reply, verdict
  summary    totals for the whole capture

Flags:
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// parseArgs accepts flags before, between and after the view and the files.
func parseArgs(args []string, stderr io.Writer) (*config, error) {
	cfg := &config{view: "timeline"}
	fs := flag.NewFlagSet("ftptrace", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.BoolVar(&cfg.json, "json", false, "JSON Lines on stdout instead of text")
	fs.BoolVar(&cfg.brief, "brief", false, "timeline without stand-alone ACK steps")
	portList := fs.String("ports", "", "comma-separated control `ports` to treat as FTP besides 21")
	fs.StringVar(&cfg.extract, "extract", "", "write every transferred file under `DIR` (never outside it)")
	fs.BoolVar(&cfg.extractListings, "extract-listings", false, "with --extract, also write LIST/NLST/MLSD output as files")
	fs.Int64Var(&cfg.extractMax, "extract-max", 0, "with --extract, write at most this many `bytes` in all (0: no bound)")
	fs.Usage = func() {
		fmt.Fprint(stderr, usageText)
		fs.PrintDefaults()
		fmt.Fprint(stderr, "\nExit status: 0 analysed, 1 error or damaged capture (partial results), 2 usage error.\n")
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
	if len(cfg.files) == 0 {
		fs.Usage()
		return nil, errors.New("no capture file given (use '-' for standard input)")
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
	res, err := analyze(cfg)
	if err != nil && res == nil {
		fmt.Fprintf(stderr, "ftptrace: %v\n", err)
		return exitError
	}
	if rerr := render(cfg, res, stdout); rerr != nil {
		fmt.Fprintf(stderr, "ftptrace: write output: %v\n", rerr)
		return exitError
	}
	for _, w := range res.warnings {
		fmt.Fprintf(stderr, "ftptrace: warning: %s\n", w)
	}
	if res.partial {
		return exitError
	}
	return exitOK
}
