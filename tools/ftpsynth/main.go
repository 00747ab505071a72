// Command ftpsynth writes the synthetic FTP captures used as fixtures.
//
//	ftpsynth -list
//	ftpsynth -scenario NAME -o FILE
//	ftpsynth -all DIR      # writes DIR/<file> for every scenario
//	ftpsynth -large NAME -o FILE   # a capture too big for a fixture (sessions30, sessions1000, transfers50)
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/ftptrace/ftptrace/internal/synth/scenarios"
)

func main() {
	list := flag.Bool("list", false, "list scenarios")
	name := flag.String("scenario", "", "scenario to write (with -o)")
	out := flag.String("o", "", "output file for -scenario (default: its own file name)")
	all := flag.String("all", "", "write every scenario into this directory")
	big := flag.String("large", "", "write a large scenario (not a fixture; see -list) to -o")
	flag.Parse()
	if *big != "" {
		s, ok := scenarios.LookupLarge(*big)
		if !ok {
			fmt.Fprintf(os.Stderr, "ftpsynth: unknown large scenario %q (see -list)\n", *big)
			os.Exit(1)
		}
		*name, *out = "", firstNonEmpty(*out, s.File)
		if err := s.Build().WriteFile(*out); err != nil {
			fmt.Fprintln(os.Stderr, "ftpsynth:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(*list, *name, *out, *all); err != nil {
		fmt.Fprintln(os.Stderr, "ftpsynth:", err)
		os.Exit(1)
	}
}

func run(list bool, name, out, all string) error {
	switch {
	case list:
		for _, s := range scenarios.All() {
			fmt.Printf("%-24s %-32s %s\n", s.Name, s.File, s.Description)
		}
		for _, s := range scenarios.Large() {
			fmt.Printf("%-24s %-32s %s (-large)\n", s.Name, s.File, s.Description)
		}
		return nil
	case name != "":
		s, ok := scenarios.Lookup(name)
		if !ok {
			return fmt.Errorf("unknown scenario %q (see -list)", name)
		}
		if out == "" {
			out = s.File
		}
		return s.Build().WriteFile(out)
	case all != "":
		if err := os.MkdirAll(all, 0o755); err != nil {
			return err
		}
		for _, s := range scenarios.All() {
			path := filepath.Join(all, s.File)
			if err := s.Build().WriteFile(path); err != nil {
				return err
			}
			fmt.Println(path)
		}
		return nil
	}
	flag.Usage()
	return fmt.Errorf("nothing to do")
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
