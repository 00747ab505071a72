// Command ftpbench-replay makes a benchmark capture of any size from a
// recording of real FTP traffic and the truth its clients wrote
// (scripts/bench-record.sh: vsftpd and scripts/bench-clients.py in network
// namespaces). It is the benchmark's second source of traffic, independent
// of tools/ftpbench-gen (issue 21):
//
//	ftpbench-replay -size 2GB -o bench-data/recorded-2GB.pcap -truth bench-data/recorded-2GB.json \
//	    bench-data/recording.pcap bench-data/recording.json
//
// The recording is played as many times as the size asks, each copy from a
// client address of its own (10.1xx.1yy.2 and fd00:1xx:1yy::2 for copy xxyy:
// the same length as the recording's 10.100.100.2 and fd00:100:100::2, so the
// address rewritten in PORT and EPRT commands changes no length and no
// sequence number), each starting a fraction of the recording's length after
// the one before (-overlap copies run at once), merged in time order. Every
// checksum is adjusted, not recomputed: what was right stays right. The
// truth written has every copy's sessions and the totals of the capture, in
// the format tools/benchcheck reads.
package main

import (
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
)

func main() {
	size := flag.String("size", "2GB", "approximate size of the capture to write (KB/MB/GB powers of 1000)")
	out := flag.String("o", "", "capture to write (required)")
	truthName := flag.String("truth", "", "truth JSON to write (default: the capture's name with .json)")
	overlap := flag.Int("overlap", 4, "copies of the recording playing at once")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: ftpbench-replay -size 2GB [-overlap N] -o OUT.pcap [-truth OUT.json] RECORDING.pcap RECORDING.json")
		flag.PrintDefaults()
	}
	flag.Parse()
	target, err := parseSize(*size)
	if err != nil || *out == "" || flag.NArg() != 2 || *overlap < 1 {
		flag.Usage()
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
		}
		os.Exit(2)
	}
	if *truthName == "" {
		*truthName = strings.TrimSuffix(*out, ".pcap") + ".json"
	}
	rec, err := readRecording(flag.Arg(0), flag.Arg(1))
	if err != nil {
		fmt.Fprintln(os.Stderr, "ftpbench-replay:", err)
		os.Exit(1)
	}
	copies := int(max(1, (target+rec.fileBytes/2)/rec.fileBytes))
	if copies > maxCopies {
		fmt.Fprintf(os.Stderr, "ftpbench-replay: %d copies of the recording asked, at most %d: record more sessions\n", copies, maxCopies)
		os.Exit(1)
	}
	t, err := replay(rec, copies, *overlap, *out)
	if err == nil {
		err = t.writeFile(*truthName)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "ftpbench-replay:", err)
		os.Exit(1)
	}
	fmt.Printf("%s: %d copies of %s, %d bytes, %d packets, %d FTP sessions, %d transfers, %d credentials; truth in %s\n",
		*out, copies, flag.Arg(0), t.FileBytes, t.Packets, len(t.Sessions), t.Transfers, t.Credentials, *truthName)
}

// parseSize reads "600MB", "2GB" or a plain number of bytes.
func parseSize(s string) (int64, error) {
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"B", 1}} {
		if strings.HasSuffix(s, u.suffix) {
			s, mult = strings.TrimSuffix(s, u.suffix), u.mult
			break
		}
	}
	n, err := strconv.ParseFloat(s, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("bad size %q: want a number with KB, MB or GB", s)
	}
	return int64(n * float64(mult)), nil
}
