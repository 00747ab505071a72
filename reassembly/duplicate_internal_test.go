package reassembly

import (
	"errors"
	"io"
	"path/filepath"
	"testing"
)

// TestKeyAheadIsTheSegmentsKey decodes every packet of the project's
// captures and the shared ones as the prefetching goroutine does
// (decodeBatch: the fast decoder or the parser) and as Tracker.Packet does:
// the copy detector's key computed ahead must be the one it computes from
// the segment, or copies would be told one way in a file and another live.
func TestKeyAheadIsTheSegmentsKey(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("..", "testdata", "pcaps", "*.pcap*"))
	shared, _ := filepath.Glob(filepath.Join("..", "..", "shared", "pcaps", "*.pcap*"))
	if len(shared) == 0 {
		t.Log("../shared/pcaps is absent: only the project's captures are compared")
	}
	ahead, now := NewDecoder(), NewDecoder()
	b := &batch{arena: make([]byte, 0, batchBytes)}
	keyed, told := 0, 0
	for _, name := range append(files, shared...) {
		src, err := Open(name)
		if err != nil {
			t.Fatal(err)
		}
		for n := 1; ; n++ {
			data, ci, lt, err := src.ReadPacket()
			if errors.Is(err, io.EOF) || err != nil {
				break // a damaged practice capture: what came before was compared
			}
			b.reset()
			b.arena = append(b.arena, data...)
			b.add(0, len(data), ci.Timestamp.Unix(), uint32(ci.Timestamp.Nanosecond()), ci.Length, lt)
			decodeBatch(ahead, b)
			seg, ok := now.Decode(data, lt)
			if m := &b.meta[0]; m.ok != ok {
				t.Fatalf("%s packet %d: TCP %v ahead, %v now", name, n, m.ok, ok)
			} else if ok && m.key != seg.key() {
				t.Fatalf("%s packet %d: key %+v ahead, %+v from the segment", name, n, m.key, seg.key())
			} else if ok {
				keyed++
				if m.key.fields != 0 {
					told++
				}
			}
		}
		src.Close()
	}
	if keyed < 10000 || told < keyed/2 {
		t.Fatalf("only %d segments keyed, %d of them that a copy can be told of: the captures were not read", keyed, told)
	}
	t.Logf("%d segments, %d of them that a copy can be told of: the same key both ways", keyed, told)
}
