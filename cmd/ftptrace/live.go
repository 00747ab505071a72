package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/ftptrace/ftptrace/analyzer"
	"github.com/ftptrace/ftptrace/reassembly"
	"github.com/ftptrace/ftptrace/report"
)

// listInterfaces is -D.
func listInterfaces(stdout io.Writer) error {
	its, err := reassembly.Interfaces()
	if err != nil {
		return err
	}
	for i, it := range its {
		line := fmt.Sprintf("%d. %s", i+1, it.Name)
		if len(it.Addresses) > 0 {
			line += " (" + strings.Join(it.Addresses, ", ") + ")"
		}
		if it.Description != "" {
			line += " - " + it.Description
		}
		fmt.Fprintln(stdout, line)
	}
	return nil
}

// defaultRing is --ring: how much the live ring may grow to while the
// analysis lags (issue 21). A file downloaded at full speed on a loopback
// (1.0-1.2 GB/s with vsftpd and curl on the same 2 cores) comes faster
// than its SHA-256 can be taken, which runs in order on one core: of a
// 1.5 GB file 110-950 MiB waited in a ring allowed 2 GiB
// (scripts/bench-live.sh), and with the ring at 16 MiB, -B 256 MiB dropped
// 900-33 000 packets in 7 of 9 runs. Memory goes to the ring only while
// the analysis lags, and stays at its peak.
const defaultRing = 1 << 30

// runLive captures on an interface until Ctrl-C, SIGTERM, --duration or
// --count, printing sessions as they happen.
func runLive(cfg *config, stdout, stderr io.Writer) int {
	src, err := reassembly.OpenLive(cfg.iface, reassembly.LiveOptions{Snaplen: int(cfg.snaplen), Promisc: !cfg.noPromisc,
		BPF: cfg.bpf, WriteFile: cfg.writeFile, BufferKiB: int(cfg.bufferKiB)})
	if err != nil {
		fmt.Fprintf(stderr, "ftptrace: %v\n", err)
		return exitError
	}
	defer src.Close()
	res := &result{}
	out, _ := createOutput("-o", "", stdout)
	p := newPrinter(cfg, out, res, printerOptions(cfg, stdout, nil))
	p.live = true
	an := analyzer.New(analyzer.Options{Ports: cfg.ports, BruteForce: cfg.bruteForce, OnStep: p.step, OnSession: p.session,
		Limits: analyzer.Limits{Steps: cfg.maxSteps}, NoHash: !cfg.showsHashes(), NoFacts: !cfg.showsDiagnoses()})
	topts := reassembly.DefaultOptions
	topts.MaxConnections = cfg.maxConns
	tr := reassembly.NewTracker(an, topts)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if cfg.duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, cfg.duration)
		defer cancel()
	}
	fmt.Fprintf(stderr, "ftptrace: capturing on %s (filter %q); Ctrl-C to stop\n", cfg.iface, cfg.bpf)
	var warnings []note
	var failed error // what ended the capture against the user's will
	// The capture runs on its own goroutine, a ring of batches ahead of
	// the analysis (reassembly.NewLivePrefetch): a burst waits there, not
	// in the kernel's buffer, while the analysis catches up. The ring
	// grows while the analysis lags, up to --ring. The spare Ps are added
	// after analyzer.New, which took one hash worker a P.
	if os.Getenv("GOMAXPROCS") == "" {
		runtime.GOMAXPROCS(reassembly.LiveProcs())
	}
	pf := reassembly.NewLivePrefetch(src, cfg.count, int(min(cfg.ring, math.MaxInt)))
	go func() {
		<-ctx.Done() // Ctrl-C, SIGTERM, --duration, or the end of runLive (stop)
		pf.Stop()
	}()
	lastFlush := time.Now()
	for {
		n, last, idle, err := pf.FollowBatch(tr, math.MaxInt)
		if terr := src.SaveTrouble(); terr != nil {
			fmt.Fprintf(stderr, "ftptrace: %v\n", terr) // at once: the capture goes on
		}
		if err != nil {
			if !errors.Is(err, reassembly.ErrStopped) {
				failed = err
			}
			break
		}
		if idle {
			now := time.Now()
			tr.Tick(now)
			an.Flush(now)
			continue
		}
		if now := time.Now(); n > 0 && now.Sub(lastFlush) >= 100*time.Millisecond {
			lastFlush = now
			an.Flush(last)
		}
	}
	tr.Close()
	an.Finish()
	stats, serr := src.Stats()
	if serr != nil {
		warnings = append(warnings, rawNote(serr))
	}
	if err := src.Close(); err != nil && failed == nil {
		failed = fmt.Errorf("-w %s: %w", cfg.writeFile, err)
	}
	if terr := src.SaveTrouble(); terr != nil {
		fmt.Fprintf(stderr, "ftptrace: %v\n", terr) // the last packets gathered did not fit
	}
	stats.NotSaved, stats.SaveError = src.NotSaved()
	res.stats, res.warnings, p.counts, res.cross = tr.Stats, warnings, stats, an.CrossFindings()
	if err := p.finish(); err != nil {
		fmt.Fprintf(stderr, "ftptrace: write output: %v\n", err)
		return exitError
	}
	for _, w := range warnings {
		fmt.Fprintf(stderr, "ftptrace: %s %s\n", report.Tr("warning:"), w.Text())
	}
	switch {
	case failed != nil:
		fmt.Fprintf(stderr, "ftptrace: %v; what was captured until then is above\n", failed)
		return exitError
	case stats.NotSaved > 0:
		fmt.Fprintf(stderr, "ftptrace: -w %s: %d packets were not saved (%s)\n", cfg.writeFile, stats.NotSaved, saveTrouble(stats.SaveError))
		return exitError
	case res.failOn:
		return exitFailOn
	}
	return exitOK
}

// saveTrouble names a -w error in a user's words.
func saveTrouble(err error) string {
	if errors.Is(err, syscall.ENOSPC) {
		return "disk full"
	}
	return err.Error()
}
