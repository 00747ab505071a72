package reassembly

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// smallDisk is a file on a disk that fills after limit bytes: a write
// beyond writes what fits and fails with ENOSPC, as write(2) does.
type smallDisk struct {
	data  []byte
	limit int
}

func (d *smallDisk) Write(p []byte) (int, error) {
	room := d.limit - len(d.data)
	if len(p) <= room {
		d.data = append(d.data, p...)
		return len(p), nil
	}
	d.data = append(d.data, p[:max(room, 0)]...)
	return max(room, 0), syscall.ENOSPC
}

func (d *smallDisk) Truncate(size int64) error {
	d.data = d.data[:size]
	return nil
}

// TestSaverOnAFullDisk: when the disk fills, the -w file keeps whole
// records only (every reader takes it to its end), the error is told once,
// and every packet is either in the file or counted as not saved.
func TestSaverOnAFullDisk(t *testing.T) {
	for _, limit := range []int{24, 100, 5000, 70000, 200001} {
		disk := &smallDisk{limit: limit}
		s, err := newSaver(disk, "out.pcap", 65535, layers.LinkTypeEthernet)
		if err != nil {
			t.Fatal(err)
		}
		const packets = 300
		var sent [][]byte
		told := 0
		for i := range packets {
			p := bytes.Repeat([]byte{byte(i)}, 60+i*7%1400)
			sent = append(sent, p)
			s.packet(gopacket.CaptureInfo{Timestamp: time.Unix(1e9, int64(i)), CaptureLength: len(p), Length: len(p)}, p)
			if s.trouble() != nil {
				told++
			}
		}
		s.flush()
		if err := s.trouble(); err != nil {
			told++
			if !strings.Contains(err.Error(), "-w out.pcap: disk full after") {
				t.Errorf("limit %d: error %q does not say the disk is full", limit, err)
			}
		}
		r, err := pcapgo.NewReader(bytes.NewReader(disk.data))
		if err != nil {
			t.Fatalf("limit %d: the file is no capture: %v", limit, err)
		}
		n := 0
		for {
			data, _, err := r.ReadPacketData()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("limit %d: record %d: %v (a half-written record?)", limit, n+1, err)
			}
			if !bytes.Equal(data, sent[n]) {
				t.Fatalf("limit %d: record %d is not packet %d", limit, n+1, n+1)
			}
			n++
		}
		notSaved, serr := s.notSaved, s.err
		if n != s.saved || n+notSaved != packets {
			t.Errorf("limit %d: %d records in the file, %d counted saved, %d not saved, of %d", limit, n, s.saved, notSaved, packets)
		}
		if full := limit < 200000; full != (serr != nil) || (full && told != 1) {
			t.Errorf("limit %d: error %v told %d times", limit, serr, told)
		}
	}
}
