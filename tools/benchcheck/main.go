// Command benchcheck compares ftptrace's JSON Lines analysis of a benchmark
// capture with the truth ftpbench-gen wrote about it:
//
//	ftptrace --json bench-data/200MB.pcap | benchcheck -truth bench-data/200MB.json
//
// It checks every FTP session (client, server, user, login, how it ended), every
// credential (user, password, outcome), every transfer (command, mode, data
// announcement, bytes, completeness, SHA-256) and the packet and byte totals,
// prints a one-line verdict, and exits 1 on any difference, listing the first.
//
// With -creds it reads the creds view instead (the password audit, which
// skips hashing): one row per credential of the truth, each user and
// password shown. With -summary it reads the summary view: its totals of
// packets, bytes, sessions, logins and transfers.
//
//	ftptrace creds --width 0 bench-data/200MB.pcap | benchcheck -creds -truth bench-data/200MB.json
//	ftptrace summary bench-data/200MB.pcap | benchcheck -summary -truth bench-data/200MB.json
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
)

// maxShown bounds the differences printed after a mismatch verdict.
const maxShown = 20

func main() {
	truthName := flag.String("truth", "", "truth JSON written by ftpbench-gen (required)")
	creds := flag.Bool("creds", false, "read the creds view (ftptrace creds FILE) instead of the JSON Lines")
	summary := flag.Bool("summary", false, "read the summary view (ftptrace summary FILE) instead of the JSON Lines")
	flag.Parse()
	if *truthName == "" || flag.NArg() > 0 || *creds && *summary {
		fmt.Fprintln(os.Stderr, "usage: ftptrace --json FILE | benchcheck -truth FILE.json\n       ftptrace creds --width 0 FILE | benchcheck -creds -truth FILE.json\n       ftptrace summary FILE | benchcheck -summary -truth FILE.json")
		os.Exit(2)
	}
	t, err := readTruth(*truthName)
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchcheck:", err)
		os.Exit(2)
	}
	if *creds || *summary {
		view, err := io.ReadAll(os.Stdin)
		if err != nil {
			fmt.Fprintln(os.Stderr, "benchcheck: read the ftptrace view:", err)
			os.Exit(1)
		}
		if *creds {
			verdict(compareCreds(t, string(view)), fmt.Sprintf("%d credentials shown as in the truth", t.Credentials))
		} else {
			verdict(compareSummary(t, string(view)), fmt.Sprintf("%d sessions, %d transfers, %d packets in the summary as in the truth", len(t.Sessions), t.Transfers, t.Packets))
		}
		return
	}
	got, err := readAnalysis(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchcheck: read ftptrace --json output:", err)
		os.Exit(1)
	}
	verdict(compare(t, got), fmt.Sprintf("%d sessions, %d credentials, %d transfers, %d packets, %d bytes agree with the truth",
		len(t.Sessions), t.Credentials, t.Transfers, t.Packets, t.Bytes))
}

// verdict prints OK and what agreed, or the differences, and exits 1.
func verdict(diffs []string, agreed string) {
	if len(diffs) == 0 {
		fmt.Println("benchcheck: OK: " + agreed)
		return
	}
	fmt.Printf("benchcheck: MISMATCH: %d differences with the truth (first %d below)\n", len(diffs), min(len(diffs), maxShown))
	for _, d := range diffs[:min(len(diffs), maxShown)] {
		fmt.Println("  " + d)
	}
	os.Exit(1)
}

// record is the union of the ftptrace JSON records benchcheck reads.
type record struct {
	Type      string `json:"type"`
	Session   int    `json:"session"`
	Client    string `json:"client"`
	Server    string `json:"server"`
	User      string `json:"user"`
	Login     string `json:"login"`
	Ended     string `json:"ended"`
	Password  string `json:"password"`
	Outcome   string `json:"outcome"`
	Command   string `json:"command"`
	Mode      string `json:"mode"`
	Announce  string `json:"announce"`
	Bytes     int64  `json:"bytes"`
	Complete  bool   `json:"complete"`
	SHA256    string `json:"sha256"`
	Verdict   string `json:"verdict"`
	Packets   int64  `json:"packets"`
	Sessions  int    `json:"sessions"`
	Transfers int    `json:"transfers"`
}

// analysis is ftptrace's output grouped by session id.
type analysis struct {
	sessions  []record
	creds     map[int][]record
	transfers map[int][]record
	summary   *record
}

// readAnalysis decodes the records benchcheck compares; step and command
// records, most of the stream, are skipped without decoding.
func readAnalysis(r io.Reader) (*analysis, error) {
	a := &analysis{creds: map[int][]record{}, transfers: map[int][]record{}}
	sc := bufio.NewScanner(bufio.NewReaderSize(r, 1<<20))
	sc.Buffer(make([]byte, 1<<20), 1<<28)
	for sc.Scan() {
		line := sc.Bytes()
		if bytes.HasPrefix(line, []byte(`{"type":"step"`)) || bytes.HasPrefix(line, []byte(`{"type":"command"`)) {
			continue
		}
		var rec record
		if err := json.Unmarshal(line, &rec); err != nil {
			return nil, fmt.Errorf("%w in %.80s", err, line)
		}
		switch rec.Type {
		case "session":
			a.sessions = append(a.sessions, rec)
		case "credential":
			a.creds[rec.Session] = append(a.creds[rec.Session], rec)
		case "transfer":
			a.transfers[rec.Session] = append(a.transfers[rec.Session], rec)
		case "summary":
			a.summary = &rec
		}
	}
	return a, sc.Err()
}
