package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/ftptrace/ftptrace/analyzer"
	"github.com/ftptrace/ftptrace/report"
)

// formats are what --format writes instead of a view's text, and the views
// each goes with.
var formats = []struct {
	name  string
	views []string
}{
	{"text", nil}, // every view: the default
	{"json", nil}, // every view but ladder: the same as --json
	{"zeek", []string{"timeline"}},
	{"zeek-json", []string{"timeline"}},
	{"ecs", []string{"timeline"}},
	{"csv", []string{"sessions", "transfers", "creds"}},
	{"tsv", []string{"sessions", "transfers", "creds"}},
}

func formatNames() []string {
	names := make([]string, len(formats))
	for i, f := range formats {
		names[i] = f.name
	}
	return names
}

// logFormat tells the formats written for other tools, record by record as
// sessions end: Zeek's logs, ECS, and the tables as CSV or TSV.
func (cfg *config) logFormat() bool { return cfg.format != "" }

// checkFormat checks --format against the view and the other flags.
func (cfg *config) checkFormat() error {
	switch cfg.format {
	case "", "text":
		cfg.format = ""
		return nil
	case "json":
		cfg.json, cfg.format = true, ""
		return nil
	}
	i := slices.IndexFunc(formats, func(f struct {
		name  string
		views []string
	}) bool {
		return f.name == cfg.format
	})
	if i < 0 {
		return fmt.Errorf("--format %q: use one of %v", cfg.format, formatNames())
	}
	if cfg.json {
		return fmt.Errorf("--format %s and --json are two outputs: keep one", cfg.format)
	}
	if views := formats[i].views; !slices.Contains(views, cfg.view) {
		if views[0] == "timeline" {
			return fmt.Errorf("--format %s writes the records of the whole capture: drop the %s view", cfg.format, cfg.view)
		}
		return fmt.Errorf("--format %s writes a table: use it with the sessions, transfers or creds view", cfg.format)
	}
	return nil
}

// sessionLog is a writer of a --format for other tools.
type sessionLog interface {
	Session(*analyzer.Session) error
	Close() error
}

// newSessionLog makes the writer of the --format in cfg, writing to w, or
// for Zeek's tab-separated logs with -o naming a directory, to ftp.log,
// files.log and conn.log in it.
func newSessionLog(cfg *config, w io.Writer) (sessionLog, error) {
	switch cfg.format {
	case "ecs":
		return report.NewECSWriter(w, report.ECSOptions{File: len(cfg.files) > 1}), nil
	case "csv", "tsv":
		return report.NewTableWriter(w, cfg.view, report.TableOptions{Tab: cfg.format == "tsv", File: len(cfg.files) > 1})
	}
	opts := report.ZeekOptions{JSON: cfg.format == "zeek-json"}
	if outputDir(cfg) {
		return newZeekDir(cfg.output, opts)
	}
	if opts.JSON {
		// One stream: each record names its log in "_path".
		return report.NewZeekWriter(report.ZeekLogs{FTP: w, Files: w, Conn: w}, opts), nil
	}
	return newZeekStream(w)
}

// outputDir tells whether -o names a directory (for Zeek's three logs): one
// that exists, or a name ending in a slash, which is made.
func outputDir(cfg *config) bool {
	if cfg.output == "" || !cfg.logFormat() || !strings.HasPrefix(cfg.format, "zeek") {
		return false
	}
	fi, err := os.Stat(cfg.output)
	return err == nil && fi.IsDir() || strings.HasSuffix(cfg.output, "/")
}

// zeekFiles writes the three logs to files of their own.
type zeekFiles struct {
	*report.ZeekWriter
	files []*os.File
}

func newZeekDir(dir string, opts report.ZeekOptions) (*zeekFiles, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("-o %s: %w", dir, err)
	}
	z := &zeekFiles{}
	for _, name := range []string{"ftp.log", "files.log", "conn.log"} {
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			z.closeFiles()
			return nil, fmt.Errorf("-o %s: %w", dir, err)
		}
		z.files = append(z.files, f)
	}
	z.ZeekWriter = report.NewZeekWriter(report.ZeekLogs{FTP: z.files[0], Files: z.files[1], Conn: z.files[2]}, opts)
	return z, nil
}

func (z *zeekFiles) Close() error {
	return errors.Join(z.ZeekWriter.Close(), z.closeFiles())
}

func (z *zeekFiles) closeFiles() error {
	var errs []error
	for _, f := range z.files {
		errs = append(errs, f.Close())
	}
	return errors.Join(errs...)
}

// zeekStream writes the three logs one after the other to one writer,
// each with its header and #close line (zeek-cut reads such a stream):
// ftp.log as sessions end, files.log and conn.log kept in temporary files
// meanwhile, so memory does not grow with the capture.
type zeekStream struct {
	*report.ZeekWriter
	w            io.Writer
	files, conns *os.File
}

func newZeekStream(w io.Writer) (*zeekStream, error) {
	files, err := os.CreateTemp("", "ftptrace-files-*.log")
	if err != nil {
		return nil, fmt.Errorf("a temporary file for files.log: %w", err)
	}
	conns, err := os.CreateTemp("", "ftptrace-conn-*.log")
	if err != nil {
		files.Close()
		os.Remove(files.Name())
		return nil, fmt.Errorf("a temporary file for conn.log: %w", err)
	}
	// Nobody else needs to see them: gone once closed, whatever happens.
	os.Remove(files.Name())
	os.Remove(conns.Name())
	z := &zeekStream{w: w, files: files, conns: conns}
	z.ZeekWriter = report.NewZeekWriter(report.ZeekLogs{FTP: w, Files: files, Conn: conns}, report.ZeekOptions{})
	return z, nil
}

func (z *zeekStream) Close() error {
	err := z.ZeekWriter.Close()
	for _, f := range []*os.File{z.files, z.conns} {
		if err == nil {
			_, err = f.Seek(0, io.SeekStart)
		}
		if err == nil {
			_, err = io.Copy(z.w, f)
		}
		f.Close()
	}
	return err
}
