package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// jsonDocs are the documents that show JSON records and recipes, and the
// section of each that holds the recipes.
var jsonDocs = []struct{ path, section string }{
	{filepath.Join("..", "..", "README.md"), "## JSON Lines"},
	{filepath.Join("..", "..", "docs", "JSON.md"), "## Recipes"},
}

// codeBlocks returns the fenced blocks of language lang in the section of
// the document that begins with the heading given (to the next "## ").
func codeBlocks(t *testing.T, path, heading, lang string) []string {
	t.Helper()
	doc, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text := string(doc)
	start := strings.Index(text, "\n"+heading+"\n")
	if start < 0 {
		t.Fatalf("%s has no section %q", path, heading)
	}
	text = text[start+len(heading)+2:]
	if end := strings.Index(text, "\n## "); end >= 0 {
		text = text[:end]
	}
	var blocks []string
	for _, part := range strings.Split(text, "```"+lang+"\n")[1:] {
		block, _, ok := strings.Cut(part, "```")
		if !ok {
			t.Fatalf("%s: a ```%s block does not end", path, lang)
		}
		blocks = append(blocks, block)
	}
	return blocks
}

// TestDocsShowRealRecords: every JSON record the README and docs/JSON.md
// show is a line ftptrace writes for the article's capture, word for word
// (-update puts today's lines in their place).
func TestDocsShowRealRecords(t *testing.T) {
	out, stderr, code := runCLI(t, "--json", article())
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	out = strings.ReplaceAll(out, article(), "testdata/pcaps/article-active.pcap") // as run from the repository
	written := map[string]string{}                                                 // line by recordKey
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		written[recordKey(t, l)] = l
	}
	for _, d := range jsonDocs {
		doc, err := os.ReadFile(d.path)
		if err != nil {
			t.Fatal(err)
		}
		shown := 0
		lines := strings.Split(string(doc), "\n")
		for i, l := range lines {
			if !strings.HasPrefix(l, `{"type":`) {
				continue
			}
			shown++
			now := written[recordKey(t, l)]
			switch {
			case now == l:
			case *update && now != "":
				lines[i] = now
			default:
				t.Errorf("%s shows a record ftptrace does not write for the article's capture (go test -update puts today's in its place):\n%s", d.path, l)
			}
		}
		if shown < 7 {
			t.Errorf("%s shows %d records, not one of each of the 7 types", d.path, shown)
		}
		if *update {
			if err := os.WriteFile(d.path, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// recordKey tells a record of the article's capture from the others of its
// type: by its step number, or the step it names, or its transfer number.
func recordKey(t *testing.T, line string) string {
	var r struct {
		Type     string `json:"type"`
		N        int    `json:"n"`
		Step     int    `json:"step"`
		Transfer int    `json:"transfer"`
	}
	if err := json.Unmarshal([]byte(line), &r); err != nil {
		t.Fatalf("not a JSON record: %q: %v", line, err)
	}
	return fmt.Sprintf("%s/%d/%d/%d", r.Type, r.N, r.Step, r.Transfer)
}

// recipeCaptures are captures the recipes run on: a login in clear text
// and a listing, downloads, an anonymous login (the pandas recipes run on
// the first only).
var recipeCaptures = []string{"article-active.pcap", "pureftpd-passive.pcap", "vsftpd-anonymous.pcap"}

// TestJSONRecipes runs the jq and pandas recipes of the README and
// docs/JSON.md, as written, with ftptrace and a capture of the project in
// place of "ftptrace" and "capture.pcap": each runs without error on every
// capture and prints something for at least one.
func TestJSONRecipes(t *testing.T) {
	python := pythonWithPandas(t)
	if _, err := exec.LookPath("jq"); err != nil {
		need(t, "jq (apt-get install jq)")
	}
	ran := 0
	for _, d := range jsonDocs {
		var recipes [][]string // the command to run, its last argument the recipe
		for _, block := range codeBlocks(t, d.path, d.section, "sh") {
			for _, line := range strings.Split(block, "\n") {
				if strings.HasPrefix(line, "ftptrace ") {
					recipes = append(recipes, []string{"bash", "-o", "pipefail", "-c", ftptraceBin + strings.TrimPrefix(line, "ftptrace")})
				}
			}
		}
		for _, block := range codeBlocks(t, d.path, d.section, "python") {
			if python == "" {
				need(t, "python3 with pandas (apt-get install python3-pandas)")
			}
			recipes = append(recipes, []string{python, "-c", strings.ReplaceAll(block, `"ftptrace"`, `"`+ftptraceBin+`"`)})
		}
		if len(recipes) < 2 {
			t.Fatalf("%s: %d recipes found in %s", d.path, len(recipes), d.section)
		}
		for _, r := range recipes {
			printed := false
			captures := recipeCaptures
			if r[0] == python {
				captures = captures[:1] // pandas takes a second to load
			}
			for _, c := range captures {
				capture := filepath.Join("..", "..", "testdata", "pcaps", c)
				args := append([]string{}, r...)
				args[len(args)-1] = strings.ReplaceAll(args[len(args)-1], "capture.pcap", capture)
				ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
				out, err := exec.CommandContext(ctx, args[0], args[1:]...).CombinedOutput()
				cancel()
				if err != nil {
					t.Errorf("%s: the recipe\n%s\nfails on %s: %v\n%s", d.path, r[len(r)-1], c, err, out)
				}
				printed = printed || len(strings.TrimSpace(string(out))) > 0
			}
			if !printed {
				t.Errorf("%s: the recipe\n%s\nprints nothing for %v", d.path, r[len(r)-1], captures)
			}
			ran++
		}
	}
	t.Logf("%d recipes ran on %d captures", ran, len(recipeCaptures))
}

// pythonWithPandas is a Python that imports pandas ("" when none does).
func pythonWithPandas(t *testing.T) string {
	for _, p := range []string{"python3", "/usr/bin/python3"} {
		if exec.Command(p, "-c", "import pandas").Run() == nil {
			return p
		}
	}
	return ""
}

// need skips the test for want of a tool, but fails on CI, which installs
// it (.ci/run).
func need(t *testing.T, tool string) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf("%s is missing on CI: .ci/run must install it", tool)
	}
	t.Skipf("skipping the JSON recipes: needs %s", tool)
}
