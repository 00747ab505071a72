package main

import (
	"path/filepath"
	"testing"
)

// TestViewsWithoutFactsLoseNothing: every view writes the same as when
// every view gathers TCP facts, on captures whose diagnoses read them
// (loss, windows, ICMP errors): those that skip them (showsDiagnoses
// false: the tables, the log formats, JSON without diagnosis records)
// lose nothing, and those that show a diagnosis do gather them.
func TestViewsWithoutFactsLoseNothing(t *testing.T) {
	views := [][]string{{"timeline"}, {"diagnose"}, {"latency"}, {"--json"}, {"--json", "diagnose"},
		{"sessions"}, {"transfers"}, {"creds"}, {"summary"}, {"--json", "sessions"},
		{"--json", "creds"}, {"--json", "--records", "session,transfer,step"}, {"--format", "zeek-json"}, {"sessions", "--format", "csv"}, {"transfers", "--format", "tsv"}}
	skipped := 0
	for _, name := range []string{"diag-loss.pcap", "diag-zero-window.pcap", "diag-active-icmp.pcap", "diag-window-limited.pcap"} {
		path := filepath.Join("..", "..", "testdata", "pcaps", name)
		for _, v := range views {
			args := append(append([]string{}, v...), path)
			cfg, err := parseArgs(args)
			if err != nil {
				t.Fatalf("%v: %v", args, err)
			}
			if !cfg.showsDiagnoses() {
				skipped++
			}
			without, _, code := runCLI(t, args...)
			gatherAllFacts = true
			with, _, code2 := runCLI(t, args...)
			gatherAllFacts = false
			if without != with || code != code2 {
				t.Errorf("%s %v: the output differs without TCP facts (exit %d, %d)", name, v, code, code2)
			}
		}
	}
	if skipped == 0 {
		t.Fatal("no view skipped the facts: the test compared nothing")
	}
}
