package main

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
)

// recording is a capture of scripts/bench-record.sh held in memory, and the
// truth its clients wrote.
type recording struct {
	header    []byte   // the pcap file header, written again as it is
	packets   []packet // in file order
	fileBytes int64
	first     int64 // time of the first packet, in the file's units
	last      int64
	unit      int64 // time units a second: 1e6 (µs) or 1e9 (ns)
	truth     recordedTruth
}

// packet is one record of the recording: its time and its frame.
type packet struct {
	t      int64
	frame  []byte // the captured bytes, within the file's buffer
	wire   uint32 // the frame's length on the wire
	record []byte // the record header (16 bytes)
}

// readRecording reads a little-endian classic pcap file of Ethernet frames
// (what tcpdump writes on Linux) and the clients' truth.
func readRecording(pcapName, truthName string) (*recording, error) {
	b, err := os.ReadFile(pcapName)
	if err != nil {
		return nil, err
	}
	rec := &recording{fileBytes: int64(len(b))}
	if len(b) < 24 {
		return nil, fmt.Errorf("%s: no pcap header", pcapName)
	}
	le := binary.LittleEndian
	switch le.Uint32(b) {
	case 0xa1b2c3d4:
		rec.unit = 1e6
	case 0xa1b23c4d:
		rec.unit = 1e9
	default:
		return nil, fmt.Errorf("%s: not a little-endian classic pcap file (tcpdump -w on Linux writes one)", pcapName)
	}
	if le.Uint32(b[20:]) != 1 {
		return nil, fmt.Errorf("%s: link type %d, not Ethernet", pcapName, le.Uint32(b[20:]))
	}
	rec.header = b[:24]
	for off := 24; off < len(b); {
		if off+16 > len(b) {
			return nil, fmt.Errorf("%s: cut short in the record header at byte %d", pcapName, off)
		}
		h := b[off : off+16]
		n := int(le.Uint32(h[8:]))
		if off+16+n > len(b) {
			return nil, fmt.Errorf("%s: cut short in the packet at byte %d", pcapName, off)
		}
		t := int64(le.Uint32(h))*rec.unit + int64(le.Uint32(h[4:]))
		if len(rec.packets) > 0 && t < rec.packets[len(rec.packets)-1].t {
			t = rec.packets[len(rec.packets)-1].t // a clock step back: keep the file in time order
		}
		rec.packets = append(rec.packets, packet{t: t, frame: b[off+16 : off+16+n], wire: le.Uint32(h[12:]), record: h})
		off += 16 + n
	}
	if len(rec.packets) == 0 {
		return nil, fmt.Errorf("%s: no packets", pcapName)
	}
	rec.first, rec.last = rec.packets[0].t, rec.packets[len(rec.packets)-1].t
	tb, err := os.ReadFile(truthName)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(tb, &rec.truth); err != nil {
		return nil, fmt.Errorf("%s: %w", truthName, err)
	}
	return rec, nil
}
