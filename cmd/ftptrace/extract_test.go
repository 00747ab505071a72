package main

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

type extractedJSON struct {
	Command   string `json:"command"`
	Path      string `json:"path"`
	Arg       string `json:"arg"`
	Verdict   string `json:"verdict"`
	SHA256    string `json:"sha256"`
	Extracted string `json:"extracted"`
	Stored    string `json:"stored_as"`
}

var partialHash = regexp.MustCompile(`sha256 ([0-9a-f]{64})`)

// TestExtractMatchesServedFiles extracts every recorded fixture and checks
// each file against the SHA-256 the recording script wrote beside the
// capture (testdata/pcaps/NAME.sha256): whole files must match exactly; a
// REST transfer must match the hash of the byte range it carried.
func TestExtractMatchesServedFiles(t *testing.T) {
	sums, _ := filepath.Glob(filepath.Join("..", "..", "testdata", "pcaps", "*.sha256"))
	if len(sums) < 5 {
		t.Fatalf("expected the recording script's .sha256 files, found %d", len(sums))
	}
	checked := 0
	for _, sumFile := range sums {
		capture := strings.TrimSuffix(sumFile, ".sha256") + ".pcap"
		t.Run(filepath.Base(capture), func(t *testing.T) {
			dir := t.TempDir()
			out, stderr, code := runCLI(t, "--json", "--extract", dir, capture)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			checkSchema(t, out)
			transfers := records[extractedJSON](t, out, "transfer")
			f, err := os.Open(sumFile)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			sc := bufio.NewScanner(f)
			comment := ""
			for sc.Scan() {
				line := sc.Text()
				if strings.HasPrefix(line, "#") {
					comment = line
					continue
				}
				fields := strings.Fields(line)
				if len(fields) != 2 {
					continue
				}
				want, name := fields[0], path.Base(fields[1])
				switch {
				case strings.HasPrefix(comment, "# encrypted"):
					// Inside TLS: the payload cannot be recovered.
				case strings.HasPrefix(comment, "# partial") && partialHash.MatchString(comment):
					checkExtracted(t, dir, transfers, name, partialHash.FindStringSubmatch(comment)[1], "partial")
					checked++
				case strings.HasPrefix(comment, "# partial"):
					// Aborted: only a prefix travelled; nothing to compare.
				default:
					checkExtracted(t, dir, transfers, name, want, "")
					checked++
				}
				comment = ""
			}
		})
	}
	if checked < 8 {
		t.Errorf("only %d files compared with their originals", checked)
	}
}

func checkExtracted(t *testing.T, dir string, transfers []extractedJSON, name, want, verdict string) {
	t.Helper()
	var seen []string
	for _, tr := range transfers {
		base := path.Base(tr.Path)
		if tr.Stored != "" {
			base = path.Base(tr.Stored)
		}
		if base != name || tr.Extracted == "" || (verdict != "" && tr.Verdict != verdict) {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, tr.Extracted))
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(data)
		got := hex.EncodeToString(sum[:])
		if got == want {
			if tr.SHA256 != "" && tr.SHA256 != want {
				t.Errorf("%s: transfer record says sha256 %s, the file has %s", name, tr.SHA256, want)
			}
			return
		}
		seen = append(seen, tr.Extracted+"="+got[:12])
	}
	t.Errorf("no extracted file for %s has sha256 %s (%s)", name, want[:12], strings.Join(seen, ", "))
}
