// Command readloop is the benchmark's reference: the cheapest honest way to
// read every packet of a capture with gopacket (pcapgo.Reader.ReadPacketData
// over a 1 MiB bufio.Reader). ftptrace's speed is reported as a multiple of
// this loop's time on the same file.
//
//	readloop bench-data/200MB.pcap
package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/gopacket/gopacket/pcapgo"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: readloop FILE.pcap")
		os.Exit(2)
	}
	packets, bytes, err := count(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "readloop:", err)
		os.Exit(1)
	}
	fmt.Printf("%d packets, %d bytes\n", packets, bytes)
}

// count reads every packet of the capture and sums their captured lengths.
func count(name string) (packets, bytes int64, err error) {
	f, err := os.Open(name)
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	r, err := pcapgo.NewReader(bufio.NewReaderSize(f, 1<<20))
	if err != nil {
		return 0, 0, fmt.Errorf("%s: %w", name, err)
	}
	for {
		data, _, err := r.ReadPacketData()
		if errors.Is(err, io.EOF) {
			return packets, bytes, nil
		}
		if err != nil {
			return packets, bytes, fmt.Errorf("%s: packet %d: %w", name, packets+1, err)
		}
		packets++
		bytes += int64(len(data))
	}
}
