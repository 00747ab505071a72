package analyzer

import (
	"net/netip"
	"testing"

	"github.com/ftptrace/ftptrace/reassembly"
)

// spentKeeper is a packet batch the reader has already taken back: keeping
// it again would hand its memory to two batches at once.
type spentKeeper struct{ kept int }

func (k *spentKeeper) Keep()    { k.kept++ }
func (k *spentKeeper) Release() {}

// TestHeldEventsKeepNoBatch: the events of a connection held until it is
// recognised are kept with a copy of their payload and without the packet
// batch's Keeper. They kept the Keeper, and replayed long after (an orphan
// data connection) they took a reference to a batch the reader had
// recycled, which then went back to the reader twice.
func TestHeldEventsKeepNoBatch(t *testing.T) {
	a := New(Options{})
	conn := reassembly.Conn{ID: 1, Client: netip.MustParseAddrPort("192.0.2.1:40000"), Server: netip.MustParseAddrPort("198.51.100.2:50000")}
	cs := &connState{conn: conn, kind: connUnknown, detect: &detector{held: true}}
	k := &spentKeeper{}
	payload := []byte("some bytes of a file\n")
	a.detectEvent(cs, &reassembly.Event{Kind: reassembly.EventPayload, Dir: reassembly.ClientToServer, Payload: payload, Keeper: k, Bytes: len(payload)})
	if len(cs.detect.events) != 1 {
		t.Fatalf("%d events held, want 1", len(cs.detect.events))
	}
	held := cs.detect.events[0]
	if held.Keeper != nil {
		t.Errorf("the held event keeps the packet batch's Keeper")
	}
	payload[0] = 'X'
	if string(held.Payload) != "some bytes of a file\n" {
		t.Errorf("the held event's payload is the packet's memory, not a copy: %q", held.Payload)
	}
}
