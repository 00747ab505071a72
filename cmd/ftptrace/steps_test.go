package main

import (
	"path/filepath"
	"testing"
)

// TestViewsThatKeepLessLoseNothing: the views that keep only the steps
// the findings are made from (showsSteps false: the tables and the
// summary), and without the findings' details (showsFindingDetails false:
// the summary), write the same as when everything is kept, on every capture of
// the project and the public ones beside it: the step numbers of logins
// and findings, the findings themselves, --redact and --fail-on.
func TestViewsThatKeepLessLoseNothing(t *testing.T) {
	views := [][]string{{"summary"}, {"summary", "--redact", "--lang", "zh"}, {"creds"}, {"creds", "--redact", "--fail-on", "findings"}, {"sessions"}, {"transfers"}}
	var paths []string
	for _, dir := range []string{filepath.Join("..", "..", "testdata", "pcaps"), sharedPcaps} {
		m, _ := filepath.Glob(filepath.Join(dir, "*.pcap*")) // the public captures may be absent
		paths = append(paths, m...)
	}
	compared := 0
	for _, path := range paths {
		for _, v := range views {
			args := append(append([]string{}, v...), path)
			cfg, err := parseArgs(args)
			if err != nil {
				t.Fatalf("%v: %v", args, err)
			}
			if cfg.showsSteps() {
				t.Fatalf("%v keeps every step: the test compares nothing", v)
			}
			few, _, code := runCLI(t, args...)
			keepAll = true
			all, _, code2 := runCLI(t, args...)
			keepAll = false
			if few != all || code != code2 {
				t.Errorf("%s %v: the output differs with only the findings' steps kept (exit %d, %d)", filepath.Base(path), v, code, code2)
			}
			compared++
		}
	}
	if compared == 0 {
		t.Fatal("no capture compared")
	}
}
