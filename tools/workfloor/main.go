// Command workfloor measures the least work a full analysis of a benchmark
// capture must do, with nothing else: read the file, find every packet's
// TCP payload, and SHA-256 the bytes of every file transfer, spread over
// all the cores there are. No connection is tracked, nothing is reassembled
// or parsed, nothing is written. Its time, as a multiple of the read loop's
// (tools/readloop), is the best ratio any analyser that hashes every transfer
// could reach on the machine (BENCHMARKS.md).
//
// It knows the generator's traffic (tools/ftpbench-gen): TCP that is neither
// FTP control (port 21) nor the HTTP-like (80) and SSH-like (22) flows is
// file data. With -truth, the bytes it hashed must be the sum of the
// truth's transfers, or it fails: the floor hashes what ftptrace must. (A
// recording of real traffic has retransmitted segments, which the floor,
// following no connection, hashes again: up to 2 % more passes.)
//
//	workfloor -truth bench-data/2GB.json bench-data/2GB.pcap
package main

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"sync"
)

const blockBytes = 1 << 20

func main() {
	truth := flag.String("truth", "", "the generator's truth `FILE.json`: check the bytes hashed against its transfers' bytes")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: workfloor [-truth FILE.json] FILE.pcap")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	t, err := floor(flag.Arg(0))
	if err != nil {
		fmt.Fprintln(os.Stderr, "workfloor:", err)
		os.Exit(1)
	}
	fmt.Printf("%d packets, %d bytes, %d bytes of file data hashed (%x)\n", t.packets, t.bytes, t.data, t.digest)
	if *truth != "" {
		want, err := truthDataBytes(*truth)
		if err != nil {
			fmt.Fprintln(os.Stderr, "workfloor:", err)
			os.Exit(1)
		}
		if t.data < want || t.data-want > want/50 {
			fmt.Fprintf(os.Stderr, "workfloor: hashed %d bytes of file data, the truth has %d\n", t.data, want)
			os.Exit(1)
		}
	}
}

// truthDataBytes sums the bytes of every transfer in the generator's truth.
func truthDataBytes(name string) (int64, error) {
	b, err := os.ReadFile(name)
	if err != nil {
		return 0, err
	}
	var t struct {
		Sessions []struct {
			Transfers []struct {
				Bytes int64 `json:"bytes"`
			} `json:"transfers"`
		} `json:"sessions"`
	}
	if err := json.Unmarshal(b, &t); err != nil {
		return 0, fmt.Errorf("%s: %w", name, err)
	}
	var sum int64
	for _, s := range t.Sessions {
		for _, x := range s.Transfers {
			sum += x.Bytes
		}
	}
	return sum, nil
}

// totals is what one worker (or the whole run) saw.
type totals struct {
	packets, bytes, data int64
	digest               []byte
}

// block is a run of whole pcap records.
type block struct {
	buf  []byte
	recs []span // each packet's bytes in buf
}

type span struct{ start, end int }

// floor reads name on one goroutine, cutting it into blocks of whole
// records, and decodes and hashes the blocks on as many workers as there
// are cores.
func floor(name string) (totals, error) {
	f, err := os.Open(name)
	if err != nil {
		return totals{}, err
	}
	defer f.Close()
	hdr := make([]byte, 24)
	if _, err := io.ReadFull(f, hdr); err != nil {
		return totals{}, fmt.Errorf("%s: no pcap header: %w", name, err)
	}
	switch binary.LittleEndian.Uint32(hdr) {
	case 0xa1b2c3d4, 0xa1b23c4d:
	default:
		return totals{}, fmt.Errorf("%s: not a little-endian classic pcap file (the generator's format)", name)
	}
	if binary.LittleEndian.Uint32(hdr[20:]) != 1 {
		return totals{}, fmt.Errorf("%s: not Ethernet (the generator's link type)", name)
	}

	workers := runtime.GOMAXPROCS(0)
	full := make(chan *block, workers)
	empty := make(chan *block, 2*workers+2)
	for i := 0; i < cap(empty); i++ {
		empty <- &block{buf: make([]byte, blockBytes)}
	}
	results := make([]totals, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[w] = work(full, empty)
		}()
	}
	rerr := cut(f, full, empty)
	close(full)
	wg.Wait()
	var all totals
	sum := sha256.New()
	for _, r := range results {
		all.packets += r.packets
		all.bytes += r.bytes
		all.data += r.data
		sum.Write(r.digest)
	}
	all.digest = sum.Sum(nil)
	if rerr != nil {
		return all, fmt.Errorf("%s: %w", name, rerr)
	}
	return all, nil
}

// cut reads the records after the file header into blocks.
func cut(r io.Reader, full, empty chan *block) error {
	var carry []byte
	for {
		b := <-empty
		n := copy(b.buf, carry)
		k, err := io.ReadFull(r, b.buf[n:])
		end := n + k
		b.recs = b.recs[:0]
		pos := 0
		for end-pos >= 16 {
			caplen := int(binary.LittleEndian.Uint32(b.buf[pos+8:]))
			if caplen > blockBytes-16 {
				return fmt.Errorf("a record of %d bytes: longer than a block", caplen)
			}
			if pos+16+caplen > end {
				break
			}
			b.recs = append(b.recs, span{pos + 16, pos + 16 + caplen})
			pos += 16 + caplen
		}
		carry = append(carry[:0], b.buf[pos:end]...)
		full <- b
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			if len(carry) > 0 {
				return fmt.Errorf("the last record is cut short (%d bytes)", len(carry))
			}
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// work decodes the blocks it is handed and hashes their file data.
func work(full, empty chan *block) totals {
	var t totals
	h := sha256.New()
	for b := range full {
		for _, s := range b.recs {
			p := b.buf[s.start:s.end]
			t.packets++
			t.bytes += int64(len(p))
			if pay := fileData(p); len(pay) > 0 {
				h.Write(pay)
				t.data += int64(len(pay))
			}
		}
		empty <- b
	}
	t.digest = h.Sum(nil)
	return t
}

// fileData returns the TCP payload of an Ethernet frame when its flow is
// file data in the generator's traffic, and nil otherwise.
func fileData(p []byte) []byte {
	if len(p) < 14 {
		return nil
	}
	var tcp []byte
	switch binary.BigEndian.Uint16(p[12:]) {
	case 0x0800:
		ip := p[14:]
		if len(ip) < 20 || ip[9] != 6 {
			return nil
		}
		ihl := int(ip[0]&15) * 4
		total := int(binary.BigEndian.Uint16(ip[2:]))
		if ihl < 20 || total < ihl || total > len(ip) {
			return nil
		}
		tcp = ip[ihl:total]
	case 0x86dd:
		ip := p[14:]
		if len(ip) < 40 || ip[6] != 6 {
			return nil
		}
		n := int(binary.BigEndian.Uint16(ip[4:]))
		if 40+n > len(ip) {
			return nil
		}
		tcp = ip[40 : 40+n]
	default:
		return nil
	}
	if len(tcp) < 20 {
		return nil
	}
	off := int(tcp[12]>>4) * 4
	if off < 20 || off > len(tcp) {
		return nil
	}
	switch src, dst := binary.BigEndian.Uint16(tcp), binary.BigEndian.Uint16(tcp[2:]); {
	case src == 21 || dst == 21, src == 80 || dst == 80, src == 22 || dst == 22:
		return nil
	}
	return tcp[off:]
}
