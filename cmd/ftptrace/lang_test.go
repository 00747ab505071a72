package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ftptrace/ftptrace/report"
)

// TestChineseCatalogueComplete renders every view of every capture in
// Chinese and fails on any sentence the catalogue does not translate.
func TestChineseCatalogueComplete(t *testing.T) {
	files := fixtures(t)
	shared, _ := filepath.Glob(filepath.Join(sharedPcaps, "*"))
	for _, f := range shared {
		if filepath.Base(f) != "MANIFEST.tsv" { // the NetMon and iSeries captures (.cap, .CAP) too
			files = append(files, f)
		}
	}
	defer report.SetLanguage("en")
	missing := map[string]string{}
	for _, view := range []string{"timeline", "sessions", "transfers", "creds", "summary", "diagnose", "latency"} {
		for _, f := range files {
			if _, stderr, code := runCLI(t, "--lang", "zh", view, f); code != 0 && code != 1 {
				t.Fatalf("%s %s: exit %d %s", view, f, code, stderr)
			}
			for _, m := range report.Missing() {
				missing[m] = view + " of " + filepath.Base(f)
			}
		}
	}
	for m, where := range missing {
		if os.Getenv("FTPTRACE_DUMP_MISSING") != "" {
			println("MISSING\t" + strings.ReplaceAll(m, "\n", `\n`))
		}
		t.Errorf("no Chinese for %q (%s)", m, where)
	}
}
