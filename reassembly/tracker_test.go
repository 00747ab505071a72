package reassembly_test

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/ftptrace/ftptrace/reassembly"
)

type recorded struct {
	conn    uint64
	client  string
	kind    reassembly.EventKind
	dir     reassembly.Direction
	payload string
	bytes   int
	seq     uint32
	ack     uint32
}

type recorder struct{ events []recorded }

func (r *recorder) HandleEvent(c *reassembly.Conn, e *reassembly.Event) {
	r.events = append(r.events, recorded{c.ID, c.Client.String(), e.Kind, e.Dir, string(e.Payload), e.Bytes, e.Seq, e.Ack})
}

func track(t *testing.T, name string) *recorder { return trackWith(t, name, false) }

// trackWith follows a capture of the project packet by packet
// (Tracker.Packet), or decoded ahead (Prefetch.Follow) when ahead is set.
func trackWith(t *testing.T, name string, ahead bool) *recorder {
	t.Helper()
	src, err := reassembly.Open(filepath.Join("..", "testdata", "pcaps", name))
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	r := &recorder{}
	tr := reassembly.NewTracker(r, reassembly.DefaultOptions)
	if ahead {
		if err := reassembly.NewDecodingPrefetch(src).Follow(tr); err != io.EOF {
			t.Errorf("%s: Follow ended with %v, want io.EOF", name, err)
		}
		tr.Close()
		return r
	}
	for {
		data, ci, lt, err := src.ReadPacket()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		tr.Packet(data, ci, lt)
	}
	tr.Close()
	return r
}

// kinds lists one connection's event kinds, compactly.
func (r *recorder) kinds(conn uint64) string {
	var out []string
	for _, e := range r.events {
		if e.conn == conn {
			k := e.kind.String()
			if e.dir == reassembly.ServerToClient && e.kind != reassembly.EventEnd && e.kind != reassembly.EventForget {
				k = "<" + k
			}
			out = append(out, k)
		}
	}
	return strings.Join(out, " ")
}

// TestTrackerArticle checks the events of the article's two connections: the
// handshake, stand-alone ACKs, payload, the four teardown packets, then the
// end and the forget, with the last ACK still on the same connection.
func TestTrackerArticle(t *testing.T) {
	r := track(t, "article-active.pcap")
	wantControl := "SYN <SYN,ACK ACK <payload ACK payload <ACK <payload ACK payload <ACK <payload ACK payload <ACK <payload payload <payload <payload ACK payload <payload ACK payload <payload <FIN ACK FIN end <ACK forget"
	if got := r.kinds(1); got != wantControl {
		t.Errorf("control connection events:\n got  %s\n want %s", got, wantControl)
	}
	// The data connection is opened by the FTP server: its SYN sender is
	// the TCP client.
	wantData := "SYN <SYN,ACK ACK payload FIN <ACK <FIN end ACK forget"
	if got := r.kinds(2); got != wantData {
		t.Errorf("data connection events:\n got  %s\n want %s", got, wantData)
	}
	var commands []string
	for _, e := range r.events {
		if e.conn == 1 && e.kind == reassembly.EventPayload && e.dir == reassembly.ClientToServer {
			commands = append(commands, strings.TrimSpace(e.payload))
		}
	}
	if got := strings.Join(commands, ","); got != "USER yuanbin,PASS 123456,PORT 192,168,120,168,200,100,LIST,PWD,QUIT" {
		t.Errorf("client payload: %s", got)
	}
}

// TestTrackerPortReuse: a new SYN on a 4-tuple whose connection closed is a
// new connection, not more of the old one.
func TestTrackerPortReuse(t *testing.T) {
	r := track(t, "synth-port-reuse.pcap")
	syns := map[uint64]int{}
	clients := map[string]bool{}
	for _, e := range r.events {
		if e.kind == reassembly.EventSYN {
			syns[e.conn]++
			clients[e.client] = true
		}
	}
	if len(syns) != 2 || len(clients) != 1 {
		t.Errorf("SYNs per connection %v from clients %v; want two connections on one 4-tuple", syns, clients)
	}
}

// TestTrackerReorder: out-of-order and retransmitted segments are delivered
// once, in order; bytes never captured become a gap event.
func TestTrackerReorder(t *testing.T) {
	r := track(t, "synth-reorder.pcap")
	perConn := map[uint64]int{}
	gaps := 0
	var control strings.Builder
	for _, e := range r.events {
		switch e.kind {
		case reassembly.EventPayload:
			perConn[e.conn] += e.bytes
			if e.conn == 1 && e.dir == reassembly.ClientToServer {
				control.WriteString(e.payload)
			}
		case reassembly.EventGap:
			gaps += e.bytes
		}
	}
	if gaps != 1460 {
		t.Errorf("gap bytes %d, want 1460", gaps)
	}
	if got := fmt.Sprint(perConn[2]); got != "10220" {
		t.Errorf("data connection payload %s bytes, want 10220 (11680 less the 1460 never captured)", got)
	}
	if !strings.Contains(control.String(), "USER bob\r\nPASS hunter2\r\n") {
		t.Errorf("control payload not in order: %q", control.String())
	}
}

// TestLinkTypes: every supported link layer yields the same connection.
func TestLinkTypes(t *testing.T) {
	var want string
	for _, name := range []string{"synth-vlan.pcap", "synth-sll.pcap", "synth-sll2.pcap", "synth-null.pcap", "synth-raw.pcap", "synth-nanos.pcap", "synth-bigendian.pcap"} {
		r := track(t, name)
		got := r.kinds(1)
		if !strings.HasPrefix(got, "SYN <SYN,ACK ACK <payload") || !strings.HasSuffix(got, "forget") {
			t.Errorf("%s: control events %s", name, got)
		}
		if want == "" {
			want = got
		} else if got != want {
			t.Errorf("%s differs from synth-vlan.pcap:\n got  %s\n want %s", name, got, want)
		}
	}
}

// TestMaxLingering: closed connections are remembered for late packets, but
// no more of them than MaxLingering; the oldest are forgotten first, while
// the capture goes on.
func TestMaxLingering(t *testing.T) {
	src, err := reassembly.Open(filepath.Join("..", "testdata", "pcaps", "vsftpd-passive.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	r := &recorder{}
	opts := reassembly.DefaultOptions
	opts.MaxLingering = 1
	tr := reassembly.NewTracker(r, opts)
	for {
		data, ci, lt, err := src.ReadPacket()
		if err != nil {
			break
		}
		tr.Packet(data, ci, lt)
	}
	forgotten := map[uint64]bool{}
	var ended []uint64
	for _, e := range r.events {
		switch e.kind {
		case reassembly.EventForget:
			forgotten[e.conn] = true
		case reassembly.EventEnd:
			ended = append(ended, e.conn)
		}
	}
	// Every connection that closed is forgotten as soon as another one
	// closes, long before the two-minute linger; the last one lingers.
	if len(ended) < 2 {
		t.Fatalf("%d connections closed, the test needs two or more", len(ended))
	}
	for i, id := range ended {
		if last := i == len(ended)-1; forgotten[id] == last {
			t.Errorf("connection %d (closed %d of %d): forgotten %v", id, i+1, len(ended), forgotten[id])
		}
	}
	tr.Close()
}

// TestTrackerSameWhenAllFlowsCollide follows every capture of the project
// twice: as usual, then with every connection filed under the same hash,
// so that each packet's connection is told apart from all the others by its
// endpoints alone. Each connection's events must be the same.
func TestTrackerSameWhenAllFlowsCollide(t *testing.T) {
	eachCapture(t, func(name string, want *recorder) {
		restore := reassembly.CollideAllFlows()
		got := track(t, name)
		restore()
		sameEventsByConn(t, name+", all connections colliding", got, want)
	})
}

// eachCapture calls check with every capture of the project and the
// events a tracker fed packet by packet reports for it.
func eachCapture(t *testing.T, check func(name string, want *recorder)) {
	paths, _ := filepath.Glob(filepath.Join("..", "testdata", "pcaps", "*.pcap*"))
	events := 0
	for _, path := range paths {
		name := filepath.Base(path)
		want := track(t, name)
		check(name, want)
		events += len(want.events)
	}
	if events < 1000 {
		t.Fatalf("only %d events compared: the captures were not read", events)
	}
}

// sameEventsByConn checks that every connection had the same events in
// got as in want. Connections closed by one flush of gopacket's assembler
// report their ends in the order of its map, which differs from run to
// run (the analyzer's output does not depend on it): the order between
// connections is not compared.
func sameEventsByConn(t *testing.T, what string, got, want *recorder) {
	t.Helper()
	byConn := func(r *recorder) map[uint64][]recorded {
		m := map[uint64][]recorded{}
		for _, e := range r.events {
			m[e.conn] = append(m[e.conn], e)
		}
		return m
	}
	g, w := byConn(got), byConn(want)
	if reflect.DeepEqual(g, w) {
		return
	}
	for id := range w {
		if !reflect.DeepEqual(g[id], w[id]) {
			t.Errorf("%s: connection %d has events %s, want %s", what, id, got.kinds(id), want.kinds(id))
		}
	}
	if len(g) != len(w) {
		t.Errorf("%s: %d connections, want %d", what, len(g), len(w))
	}
}

// TestPayloadSequenceNumbers: a payload or gap event names the sequence
// number of its first byte, so each continues the one before it in its
// direction, and a payload carries the acknowledgement it was sent with.
func TestPayloadSequenceNumbers(t *testing.T) {
	eachCapture(t, func(name string, r *recorder) {
		type half struct {
			conn uint64
			dir  reassembly.Direction
		}
		next := map[half]uint32{}
		acked := 0
		for _, e := range r.events {
			if e.kind != reassembly.EventPayload && e.kind != reassembly.EventGap {
				continue
			}
			h := half{e.conn, e.dir}
			if want, ok := next[h]; ok && e.seq != want {
				t.Errorf("%s: connection %d %v: %s at sequence number %d, want %d (where the one before ended)", name, e.conn, e.dir, e.kind, e.seq, want)
			}
			next[h] = e.seq + uint32(e.bytes)
			if e.ack != 0 {
				acked++
			}
		}
		if len(next) > 0 && acked == 0 {
			t.Errorf("%s: no payload event carries an acknowledgement", name)
		}
	})
}

// TestFlagsString: flags are written as Wireshark writes them, from the
// table of every combination or, with bits beyond the six, by hand.
func TestFlagsString(t *testing.T) {
	tests := []struct {
		f    reassembly.Flags
		want string
	}{
		{0, ""},
		{reassembly.FlagSYN, "SYN"},
		{reassembly.FlagSYN | reassembly.FlagACK, "SYN,ACK"},
		{reassembly.FlagFIN | reassembly.FlagACK, "FIN,ACK"},
		{reassembly.FlagPSH | reassembly.FlagACK | reassembly.FlagURG, "PSH,URG,ACK"},
		{reassembly.FlagFIN | reassembly.FlagSYN | reassembly.FlagRST | reassembly.FlagPSH | reassembly.FlagACK | reassembly.FlagURG, "SYN,FIN,RST,PSH,URG,ACK"},
		{0xc0 | reassembly.FlagRST, "RST"},
	}
	for _, tt := range tests {
		if got := tt.f.String(); got != tt.want {
			t.Errorf("Flags(%#x).String() = %q, want %q", uint8(tt.f), got, tt.want)
		}
	}
}
