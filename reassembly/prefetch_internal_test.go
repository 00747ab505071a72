package reassembly

import (
	"testing"

	"github.com/gopacket/gopacket/layers"
)

// TestBatchAddClearsReusedRecords refills a batch whose record held a
// decoded TCP segment with a packet that is not one: nothing of the old
// record may remain (the record is written in place, not made anew).
func TestBatchAddClearsReusedRecords(t *testing.T) {
	b := &batch{arena: make([]byte, 0, batchBytes)}
	b.add(0, 60, 1, 2, 60, layers.LinkTypeEthernet)
	m := &b.meta[0]
	m.ok, m.v4, m.icmp, m.flow = true, true, true, 7
	m.key, m.tcp.seq, m.src[0] = segmentKey{fields: 1, bucket: 2}, 9, 10
	b.reset()
	b.add(20, 30, 3, 4, 12, layers.LinkTypeRaw)
	want := packetMeta{start: 20, end: 30, length: 12, sec: 3, nsec: 4, lt: layers.LinkTypeRaw}
	if b.meta[0] != want {
		t.Errorf("refilled record %+v, want %+v: the last packet's segment was left in it", b.meta[0], want)
	}
}
