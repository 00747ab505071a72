package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestGoldenFormats writes every fixture in each --format for other tools
// and compares the output with its golden file: Zeek's logs (tab-separated
// and JSON), ECS, and the three tables as CSV and TSV.
func TestGoldenFormats(t *testing.T) {
	for _, f := range fixtures(t) {
		base := filepath.Base(f)
		t.Run(base, func(t *testing.T) {
			for _, v := range []struct {
				suffix string
				runs   [][]string
			}{
				{".zeek.log", [][]string{{"--format", "zeek"}}},
				{".zeek-json.log", [][]string{{"--format", "zeek-json"}}},
				{".ecs.ndjson", [][]string{{"--format", "ecs"}}},
				{".tables.csv", [][]string{{"sessions", "--format", "csv"}, {"transfers", "--format", "csv"}, {"creds", "--format", "csv"}}},
				{".tables.tsv", [][]string{{"sessions", "--format", "tsv"}, {"transfers", "--format", "tsv"}, {"creds", "--format", "tsv"}}},
			} {
				var all strings.Builder
				for _, args := range v.runs {
					out, stderr, code := runCLI(t, append(args, f)...)
					if code != 0 {
						t.Fatalf("%v: exit %d, stderr: %s", args, code, stderr)
					}
					all.WriteString(out)
				}
				checkGolden(t, base+v.suffix, all.String())
			}
		})
	}
}

// TestFormatUsage: a format that does not go with the view, or with
// --json, is a usage error that says what to do.
func TestFormatUsage(t *testing.T) {
	article := filepath.Join("..", "..", "testdata", "pcaps", "article-active.pcap")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--format", "yaml"}, `--format "yaml": use one of`},
		{[]string{"sessions", "--format", "zeek"}, "writes the records of the whole capture: drop the sessions view"},
		{[]string{"--format", "csv"}, "use it with the sessions, transfers or creds view"},
		{[]string{"summary", "--format", "tsv"}, "use it with the sessions, transfers or creds view"},
		{[]string{"--format", "ecs", "--json"}, "--format ecs and --json are two outputs"},
	} {
		_, stderr, code := runCLI(t, append(c.args, article)...)
		if code != exitUsage || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d and %q", c.args, code, stderr, exitUsage, c.want)
		}
	}
	if out, _, code := runCLI(t, "--format", "json", "--records", "session", article); code != 0 || !strings.HasPrefix(out, `{"type":"session"`) {
		t.Errorf("--format json is --json: exit %d, %q", code, out)
	}
}

// TestZeekOutputDir: with -o naming a directory (made when the name ends
// in a slash), the three logs are files of their own there, each the same
// as its part of the stream.
func TestZeekOutputDir(t *testing.T) {
	article := filepath.Join("..", "..", "testdata", "pcaps", "article-active.pcap")
	dir := filepath.Join(t.TempDir(), "logs")
	if _, stderr, code := runCLI(t, "--format", "zeek", "-o", dir+"/", article); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	stream, _, _ := runCLI(t, "--format", "zeek", article)
	var joined strings.Builder
	for _, name := range []string{"ftp.log", "files.log", "conn.log"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), "#path\t"+strings.TrimSuffix(name, ".log")+"\n") {
			t.Errorf("%s does not hold its log:\n%s", name, b)
		}
		joined.Write(b)
	}
	if joined.String() != stream {
		t.Errorf("the files differ from the stream:\n%s", firstDiff(stream, joined.String()))
	}
}
