package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestGoldenDiagnoseAndLatency renders every fixture with the diagnose
// view (English and Chinese, text and JSON) and the latency view (text and
// JSON), and compares each with its golden file; the JSON matches the
// schema.
func TestGoldenDiagnoseAndLatency(t *testing.T) {
	for _, f := range fixtures(t) {
		base := filepath.Base(f)
		t.Run(base, func(t *testing.T) {
			for _, v := range []struct {
				suffix string
				args   []string
			}{
				{".diagnose.txt", []string{"diagnose"}},
				{".diagnose.zh.txt", []string{"diagnose", "--lang", "zh"}},
				{".diagnose.jsonl", []string{"diagnose", "--json"}},
				{".latency.txt", []string{"latency"}},
				{".latency.jsonl", []string{"latency", "--json"}},
			} {
				out, stderr, code := runCLI(t, append(v.args, f)...)
				if code != 0 && !strings.Contains(stderr, "damaged") {
					t.Fatalf("%v: exit %d, stderr: %s", v.args, code, stderr)
				}
				out = strings.ReplaceAll(out, f, base)
				if strings.HasSuffix(v.suffix, ".jsonl") {
					checkSchema(t, out)
				}
				checkGolden(t, base+v.suffix, out)
			}
		})
	}
}
