// Command ftpcraft writes the hostile captures of docs/LIMITS.md (a 1 MB
// reply line, 100 000 commands, 100 000 half-open connections, PORT bounces,
// conflicting retransmissions, a data connection that never closes, 100 000
// never-closed sessions each with a pending PASV, a data connection whose
// sequence jumps by 2^31-1) into a directory, to measure ftptrace on them.
// They are too big to commit.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/ftptrace/ftptrace/tools/ftpcraft/craft"
)

func main() {
	out := flag.String("o", "", "write the captures into `DIR` (created if missing)")
	line := flag.Int("line", 1<<20, "bytes of the reply line without CRLF")
	commands := flag.Int("commands", 100000, "NOOP commands in one session")
	conns := flag.Int("conns", 100000, "half-open connections")
	data := flag.Int("data", 100<<20, "bytes sent on the data connection that never closes")
	passive := flag.Int("passive", 100000, "never-closed sessions that each asked PASV")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "ftpcraft: give -o DIR")
		os.Exit(2)
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		fmt.Fprintf(os.Stderr, "ftpcraft: %v\n", err)
		os.Exit(1)
	}
	for _, c := range craft.Full(*line, *commands, *conns, *data, *passive) {
		name := filepath.Join(*out, "crafted-"+c.Name+".pcap")
		capt := c.Build()
		if err := capt.WriteFile(name); err != nil {
			fmt.Fprintf(os.Stderr, "ftpcraft: %v\n", err)
			os.Exit(1)
		}
		fmt.Printf("%s: %d packets\n", name, capt.Len())
	}
}
