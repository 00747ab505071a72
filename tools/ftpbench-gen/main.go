// Command ftpbench-gen writes a large synthetic capture for ftptrace's
// benchmark, and the truth about it: the FTP sessions, credentials and
// transfers it contains.
//
//	ftpbench-gen -size 2GB -seed 1 -o bench-data/2GB.pcap -truth bench-data/2GB.json
//
// The capture is deterministic for a seed and size: Ethernet, IPv4 and about
// 10% IPv6, many interleaved FTP sessions using every data mode (PORT, PASV,
// EPSV, EPRT), and about as many bytes of HTTP-like, SSH-like and DNS traffic.
// Addresses come from the documentation ranges (RFC 5737, RFC 3849).
//
// With -profile sessions the capture is session-heavy instead, the shape of
// a busy anonymous mirror, a scanner or a password guesser: about 2 000
// short FTP sessions a second, each a login (a third of them failed), a
// RETR of at most 2 KiB or a short LIST (PORT or PASV; EPRT or EPSV over
// IPv6) or nothing, then QUIT, or a FIN or RST from the client, or the
// server's 421 and RST. The truth says how each session ended.
//
//	ftpbench-gen -profile sessions -size 60MB -o bench-data/sessions-60MB.pcap
package main

import (
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
)

func main() {
	size := flag.String("size", "10MB", "approximate capture size (10MB, 200MB, 2GB; KB/MB/GB are powers of 1000, KiB/MiB/GiB of 1024)")
	seed := flag.Uint64("seed", 1, "seed of the pseudo-random choices")
	out := flag.String("o", "", "capture to write (required)")
	truthName := flag.String("truth", "", "truth JSON to write (default: the capture's name with .json)")
	profileName := flag.String("profile", "transfers", "the traffic: transfers (few sessions, big files, other protocols) or sessions (thousands of short FTP sessions a second)")
	flag.Parse()
	target, err := parseSize(*size)
	prof, known := profiles[*profileName]
	if !known && err == nil {
		err = fmt.Errorf("unknown profile %q: transfers or sessions", *profileName)
	}
	if err != nil || *out == "" || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: ftpbench-gen -size 200MB [-profile transfers|sessions] [-seed N] -o FILE.pcap [-truth FILE.json]")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
		}
		os.Exit(2)
	}
	if *truthName == "" {
		*truthName = strings.TrimSuffix(*out, ".pcap") + ".json"
	}
	if err := generate(*out, *truthName, target, *seed, prof); err != nil {
		fmt.Fprintln(os.Stderr, "ftpbench-gen:", err)
		os.Exit(1)
	}
}

// generate writes the capture to a temporary name first, so an interrupted
// run never leaves a short file that looks finished.
func generate(out, truthName string, target int64, seed uint64, prof profile) error {
	f, err := os.Create(out + ".tmp")
	if err != nil {
		return err
	}
	defer os.Remove(out + ".tmp")
	t, err := write(f, target, seed, prof)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", out, err)
	}
	if err := t.writeFile(truthName); err != nil {
		return err
	}
	if err := os.Rename(out+".tmp", out); err != nil {
		return err
	}
	fmt.Printf("%s: %d bytes, %d packets, %d FTP sessions (%d IPv6), %d transfers, %d credentials; truth in %s\n",
		out, t.FileBytes, t.Packets, len(t.Sessions), t.IPv6Sessions, t.Transfers, t.Credentials, truthName)
	return nil
}

// parseSize reads "200MB", "2GB", "1MiB" or a plain number of bytes.
func parseSize(s string) (int64, error) {
	units := []struct {
		suffix string
		mult   int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"B", 1}}
	mult := int64(1)
	for _, u := range units {
		if strings.HasSuffix(s, u.suffix) {
			s, mult = strings.TrimSuffix(s, u.suffix), u.mult
			break
		}
	}
	n, err := strconv.ParseFloat(s, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("bad size %q: want a number with KB, MB, GB, KiB, MiB or GiB", s)
	}
	return int64(n * float64(mult)), nil
}
