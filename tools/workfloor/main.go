// Command workfloor measures the least work a full analysis of a benchmark
// capture must do, with nothing else: read the file, find every packet's
// TCP payload, SHA-256 the bytes of every file transfer, and put the FTP
// control connections through gopacket's reassembler (the design's: the
// sessions cannot be told without their control connections in order),
// counting the lines it gives; spread over all the cores there are. Data
// connections are not tracked, no line is parsed, nothing is written. Its
// time, as a multiple of the read loop's (tools/readloop), is the best
// ratio any analyser that hashes every transfer and reassembles its
// control connections with gopacket could reach on the machine
// (BENCHMARKS.md).
//
// It knows the generator's traffic (tools/ftpbench-gen): TCP to or from
// port 21 is FTP control; TCP that is neither that nor the HTTP-like (80)
// and SSH-like (22) flows is file data. With -truth, the bytes it hashed
// must be the sum of the truth's transfers, and it must have seen a
// client's SYN on port 21 for each of the truth's sessions, or it fails: the
// floor does what ftptrace must. (A recording of real traffic has
// retransmitted segments, which the floor, following no data connection,
// hashes again: up to 2 % more passes.)
//
// The reader cuts the file into blocks and sorts out the control segments
// by a hash of their connection's addresses; any hasher takes the next
// block, and each reassembler (one per core too) takes every block in
// order for the control connections of its share.
//
//	workfloor -truth bench-data/2GB.json bench-data/2GB.pcap
package main

import (
	"bytes"
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
	"sync/atomic"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/reassembly"
)

const blockBytes = 1 << 20

func main() {
	truth := flag.String("truth", "", "the generator's truth `FILE.json`: check the bytes hashed against its transfers' bytes, the control connections against its sessions")
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
	fmt.Printf("%d packets, %d bytes, %d bytes of file data hashed (%x), control connections reassembled (%d clients' SYNs, %d lines)\n",
		t.packets, t.bytes, t.data, t.digest, t.opened, t.lines)
	if *truth != "" {
		want, err := readTruth(*truth)
		if err != nil {
			fmt.Fprintln(os.Stderr, "workfloor:", err)
			os.Exit(1)
		}
		if t.data < want.data || t.data-want.data > want.data/50 {
			fmt.Fprintf(os.Stderr, "workfloor: hashed %d bytes of file data, the truth has %d\n", t.data, want.data)
			os.Exit(1)
		}
		if t.opened < want.sessions {
			fmt.Fprintf(os.Stderr, "workfloor: %d clients' SYNs on control connections, the truth has %d sessions\n", t.opened, want.sessions)
			os.Exit(1)
		}
	}
}

// expected is what the generator's truth says the floor must find.
type expected struct {
	data     int64 // bytes of every transfer
	sessions int64 // FTP sessions, a control connection each
}

// readTruth sums the bytes of every transfer in the generator's truth and
// counts its sessions.
func readTruth(name string) (expected, error) {
	b, err := os.ReadFile(name)
	if err != nil {
		return expected{}, err
	}
	var t struct {
		Sessions []struct {
			Transfers []struct {
				Bytes int64 `json:"bytes"`
			} `json:"transfers"`
		} `json:"sessions"`
	}
	if err := json.Unmarshal(b, &t); err != nil {
		return expected{}, fmt.Errorf("%s: %w", name, err)
	}
	want := expected{sessions: int64(len(t.Sessions))}
	for _, s := range t.Sessions {
		for _, x := range s.Transfers {
			want.data += x.Bytes
		}
	}
	return want, nil
}

// totals is what one worker (or the whole run) saw.
type totals struct {
	packets, bytes, data int64
	opened, lines        int64
	digest               []byte
}

// block is a run of whole pcap records, each read once by the reader:
// one hasher hashes its file data, and every reassembler its share of the
// control segments.
type block struct {
	buf     []byte
	packets int      // records in buf
	bytes   int      // their packets' bytes
	data    []span   // the file data of each packet that has some
	ctl     [][]span // the control segments of each reassembler's share
	left    atomic.Int32
}

type span struct{ start, end int }

// floor reads name on one goroutine, cutting it into blocks of whole
// records and sorting out the control segments, and hands the blocks to as
// many hashers, and as many reassemblers, as there are cores.
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
	var nanos bool
	switch binary.LittleEndian.Uint32(hdr) {
	case 0xa1b2c3d4:
	case 0xa1b23c4d:
		nanos = true
	default:
		return totals{}, fmt.Errorf("%s: not a little-endian classic pcap file (the generator's format)", name)
	}
	if binary.LittleEndian.Uint32(hdr[20:]) != 1 {
		return totals{}, fmt.Errorf("%s: not Ethernet (the generator's link type)", name)
	}

	n := runtime.GOMAXPROCS(0)
	empty := make(chan *block, 4*n+4)
	for i := 0; i < cap(empty); i++ {
		empty <- &block{buf: make([]byte, blockBytes), ctl: make([][]span, n)}
	}
	release := func(b *block) {
		if b.left.Add(-1) == 0 {
			empty <- b
		}
	}
	full := make(chan *block, n)
	hashers := make([]totals, n)
	reassemblers := make([]*reassembler, n)
	var wg sync.WaitGroup
	for i := range n {
		r := newReassembler(nanos)
		reassemblers[i] = r
		wg.Add(2)
		go func() {
			defer wg.Done()
			hashers[i] = hash(full, release)
		}()
		go func() {
			defer wg.Done()
			r.run(i, release)
		}()
	}
	rerr := cut(f, full, reassemblers, empty)
	close(full)
	for _, r := range reassemblers {
		close(r.in)
	}
	wg.Wait()
	var all totals
	sum := sha256.New()
	for i, h := range hashers {
		all.packets += h.packets
		all.bytes += h.bytes
		all.data += h.data
		sum.Write(h.digest)
		all.opened += reassemblers[i].opened
		all.lines += reassemblers[i].lines
	}
	all.digest = sum.Sum(nil)
	if rerr != nil {
		return all, fmt.Errorf("%s: %w", name, rerr)
	}
	return all, nil
}

// cut reads the records after the file header into blocks, notes each
// packet's file data, and each control segment for the reassembler its
// connection's hash gives, and hands each block to a hasher and to every
// reassembler.
func cut(r io.Reader, full chan *block, reassemblers []*reassembler, empty chan *block) error {
	var carry []byte
	for {
		b := <-empty
		n := copy(b.buf, carry)
		k, err := io.ReadFull(r, b.buf[n:])
		end := n + k
		b.packets, b.bytes, b.data = 0, 0, b.data[:0]
		for i := range b.ctl {
			b.ctl[i] = b.ctl[i][:0]
		}
		pos := 0
		for end-pos >= 16 {
			caplen := int(binary.LittleEndian.Uint32(b.buf[pos+8:]))
			if caplen > blockBytes-16 {
				return fmt.Errorf("a record of %d bytes: longer than a block", caplen)
			}
			if pos+16+caplen > end {
				break
			}
			s := span{pos + 16, pos + 16 + caplen}
			b.packets++
			b.bytes += caplen
			switch data, share, control := classify(b.buf[s.start:s.end]); {
			case control:
				i := share % uint32(len(b.ctl))
				b.ctl[i] = append(b.ctl[i], s)
			case len(data) > 0:
				start := cap(b.buf) - cap(data) // data is a slice of b.buf, whose capacity it shares
				b.data = append(b.data, span{start, start + len(data)})
			}
			pos += 16 + caplen
		}
		carry = append(carry[:0], b.buf[pos:end]...)
		b.left.Store(int32(1 + len(reassemblers)))
		full <- b
		for _, r := range reassemblers {
			r.in <- b
		}
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

// hash counts the packets of the blocks it is handed and hashes their file
// data.
func hash(full chan *block, release func(*block)) totals {
	var t totals
	h := sha256.New()
	for b := range full {
		t.packets += int64(b.packets)
		t.bytes += int64(b.bytes)
		for _, s := range b.data {
			h.Write(b.buf[s.start:s.end])
			t.data += int64(s.end - s.start)
		}
		release(b)
	}
	t.digest = h.Sum(nil)
	return t
}

// reassembler puts its share of the control connections through
// gopacket's reassembler, every block in order.
type reassembler struct {
	in            chan *block
	nanos         bool
	asm           *reassembly.Assembler
	tcp           layers.TCP
	captured      captureContext
	opened, lines int64
}

func newReassembler(nanos bool) *reassembler {
	r := &reassembler{in: make(chan *block, 4), nanos: nanos}
	r.asm = reassembly.NewAssembler(reassembly.NewStreamPool(r))
	return r
}

func (r *reassembler) run(share int, release func(*block)) {
	for b := range r.in {
		for _, s := range b.ctl[share] {
			r.assemble(b.buf[s.start:s.end], b.buf[s.start-16:s.start])
		}
		release(b)
	}
	r.asm.FlushAll()
}

// assemble hands a control segment to gopacket's reassembler, decoded no
// further than it needs: the addresses and the TCP header.
func (r *reassembler) assemble(p, record []byte) {
	ip, tcp := splitFrame(p)
	if tcp == nil || r.tcp.DecodeFromBytes(tcp, gopacket.NilDecodeFeedback) != nil {
		return
	}
	var flow gopacket.Flow
	if ip[0]>>4 == 4 {
		flow = gopacket.NewFlow(layers.EndpointIPv4, ip[12:16], ip[16:20])
	} else {
		flow = gopacket.NewFlow(layers.EndpointIPv6, ip[8:24], ip[24:40])
	}
	if r.tcp.SYN && !r.tcp.ACK {
		r.opened++ // a client opens a control connection (or tries again)
	}
	sec, frac := int64(binary.LittleEndian.Uint32(record)), int64(binary.LittleEndian.Uint32(record[4:]))
	if !r.nanos {
		frac *= 1000
	}
	r.captured.ci = gopacket.CaptureInfo{Timestamp: time.Unix(sec, frac), CaptureLength: len(p), Length: len(p)}
	r.asm.AssembleWithContext(flow, &r.tcp, &r.captured)
}

// New makes the stream of a control connection (reassembly.StreamFactory).
func (r *reassembler) New(_, _ gopacket.Flow, _ *layers.TCP, _ reassembly.AssemblerContext) reassembly.Stream {
	return lineCounter{&r.lines}
}

type captureContext struct{ ci gopacket.CaptureInfo }

func (c *captureContext) GetCaptureInfo() gopacket.CaptureInfo { return c.ci }

// lineCounter counts the lines of a control connection, both directions,
// as gopacket delivers them in order.
type lineCounter struct{ lines *int64 }

func (lineCounter) Accept(*layers.TCP, gopacket.CaptureInfo, reassembly.TCPFlowDirection, reassembly.Sequence, *bool, reassembly.AssemblerContext) bool {
	return true
}

func (c lineCounter) ReassembledSG(sg reassembly.ScatterGather, _ reassembly.AssemblerContext) {
	n, _ := sg.Lengths()
	*c.lines += int64(bytes.Count(sg.Fetch(n), []byte{'\n'}))
}

func (lineCounter) ReassemblyComplete(reassembly.AssemblerContext) bool { return true }

// splitFrame returns the IP header and the TCP segment (header and
// payload) of an Ethernet frame, nil when it holds no whole TCP header.
func splitFrame(p []byte) (ip, tcp []byte) {
	if len(p) < 14 {
		return nil, nil
	}
	switch binary.BigEndian.Uint16(p[12:]) {
	case 0x0800:
		ip = p[14:]
		if len(ip) < 20 || ip[0]>>4 != 4 || ip[9] != 6 {
			return nil, nil
		}
		ihl := int(ip[0]&15) * 4
		total := int(binary.BigEndian.Uint16(ip[2:]))
		if ihl < 20 || total < ihl || total > len(ip) {
			return nil, nil
		}
		tcp = ip[ihl:total]
	case 0x86dd:
		ip = p[14:]
		if len(ip) < 40 || ip[0]>>4 != 6 || ip[6] != 6 {
			return nil, nil
		}
		n := int(binary.BigEndian.Uint16(ip[4:]))
		if 40+n > len(ip) {
			return nil, nil
		}
		tcp = ip[40 : 40+n]
	default:
		return nil, nil
	}
	if len(tcp) < 20 {
		return nil, nil
	}
	if off := int(tcp[12]>>4) * 4; off < 20 || off > len(tcp) {
		return nil, nil
	}
	return ip, tcp
}

// classify reads an Ethernet frame's ports once: for FTP control (port
// 21 on either side), control is true and share a hash of the connection's
// addresses and ports, the same in both directions; otherwise data is the
// TCP payload when the flow is file data in the generator's traffic (not
// the HTTP-like 80 nor the SSH-like 22), nil when it is not.
func classify(p []byte) (data []byte, share uint32, control bool) {
	ip, tcp := splitFrame(p)
	if tcp == nil {
		return nil, 0, false
	}
	src, dst := binary.BigEndian.Uint16(tcp), binary.BigEndian.Uint16(tcp[2:])
	switch {
	case src == 21 || dst == 21:
		var a, b []byte
		if ip[0]>>4 == 4 {
			a, b = ip[12:16], ip[16:20]
		} else {
			a, b = ip[8:24], ip[24:40]
		}
		h := uint32(src) ^ uint32(dst)
		for i := range a {
			h = h*31 + uint32(a[i]^b[i])
		}
		return nil, h * 2654435761 >> 8, true
	case src == 80 || dst == 80, src == 22 || dst == 22:
		return nil, 0, false
	}
	return tcp[int(tcp[12]>>4)*4:], 0, false
}
