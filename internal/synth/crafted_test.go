package synth

import (
	"bytes"
	"testing"
	"time"
)

func TestCrafted(t *testing.T) {
	type want struct {
		from    Side
		off     int // stream offset of the first payload byte
		payload string
		ackOff  int // peer stream offset acknowledged; -1: no ACK check
	}
	tests := []struct {
		name  string
		build func(capt *Capture, c *Conn)
		want  []want
	}{
		{
			name: "retransmission and overlap",
			build: func(capt *Capture, c *Conn) {
				c.ClientSend("CWD /pub/")
				c.SendAt(Client, 0, "CWD /pub/")
				c.SendAt(Client, 4, "/pub/incoming\r\n")
				c.ServerAck()
			},
			want: []want{
				{Client, 0, "CWD /pub/", 0},
				{Client, 0, "CWD /pub/", 0},
				{Client, 4, "/pub/incoming\r\n", 0},
				{Server, 0, "", 19},
			},
		},
		{
			name: "out of order",
			build: func(capt *Capture, c *Conn) {
				c.SendAt(Server, 5, "world")
				c.SendAt(Server, 0, "hello")
				c.ClientAck()
			},
			want: []want{{Server, 5, "world", 0}, {Server, 0, "hello", 0}, {Client, 0, "", 10}},
		},
		{
			name: "gap",
			build: func(capt *Capture, c *Conn) {
				c.ServerSend("aaaa")
				c.Skip(Server, 100)
				c.ServerSend("bbbb")
				c.ClientAck()
			},
			want: []want{{Server, 0, "aaaa", 0}, {Server, 104, "bbbb", 0}, {Client, 0, "", 108}},
		},
		{
			name: "reorder last two",
			build: func(capt *Capture, c *Conn) {
				c.ClientSend("one")
				c.ClientSend("two")
				capt.Reorder(1, 0)
			},
			want: []want{{Client, 3, "two", 0}, {Client, 0, "one", 0}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			capt := New(Options{})
			c := capt.Conn(cli4, srv4)
			tt.build(capt, c)
			_, segs := readBack(t, capt, PCAP)
			if len(segs) != len(tt.want) {
				t.Fatalf("%d frames, want %d", len(segs), len(tt.want))
			}
			for i, w := range tt.want {
				s := segs[i]
				base := c.ends[w.from].isn + 1
				peer := c.ends[w.from.Peer()].isn + 1
				if s.src != c.Addr(w.from) {
					t.Errorf("frame %d from %v, want %v", i+1, s.src, c.Addr(w.from))
				}
				if got := int(s.tcp.Seq - base); got != w.off {
					t.Errorf("frame %d: offset %d, want %d", i+1, got, w.off)
				}
				if string(s.tcp.Payload) != w.payload {
					t.Errorf("frame %d: payload %q, want %q", i+1, s.tcp.Payload, w.payload)
				}
				if got := int(s.tcp.Ack - peer); w.ackOff >= 0 && got != w.ackOff {
					t.Errorf("frame %d: ack offset %d, want %d", i+1, got, w.ackOff)
				}
				if i > 0 && s.ts.Before(segs[i-1].ts) {
					t.Errorf("frame %d: time goes backwards", i+1)
				}
			}
		})
	}
}

func TestEmitAt(t *testing.T) {
	capt := New(Options{Step: time.Millisecond})
	c := capt.Conn(cli4, srv4)
	at := Epoch.Add(-time.Second)
	c.Emit(Segment{From: Server, Flags: RST, Seq: 12345, At: at})
	c.ClientAck()
	p := capt.Packets()
	if !p[0].Time.Equal(at) || !p[1].Time.Equal(Epoch) || !capt.Now().Equal(Epoch.Add(time.Millisecond)) {
		t.Errorf("times %v %v, clock %v", p[0].Time, p[1].Time, capt.Now())
	}
	_, segs := readBack(t, capt, PCAP)
	if segs[0].flags() != RST || segs[0].tcp.Seq != 12345 {
		t.Errorf("crafted segment: flags %b seq %d", segs[0].flags(), segs[0].tcp.Seq)
	}
}

func TestDeterministic(t *testing.T) {
	for _, f := range []Format{PCAP, PCAPNano, PCAPBigEndian, PCAPNG} {
		var out [2]bytes.Buffer
		for i := range out {
			capt := New(Options{Format: f})
			conversation(capt, cli4, srv4)
			conversation(capt, cli4, srv4) // same 4-tuple: new ISNs
			if err := capt.WriteTo(&out[i], f); err != nil {
				t.Fatal(err)
			}
		}
		if !bytes.Equal(out[0].Bytes(), out[1].Bytes()) {
			t.Errorf("format %d: output differs between runs", f)
		}
	}
}

func TestFileHeaders(t *testing.T) {
	tests := []struct {
		format Format
		magic  []byte
	}{
		{PCAP, []byte{0xd4, 0xc3, 0xb2, 0xa1}},
		{PCAPNano, []byte{0x4d, 0x3c, 0xb2, 0xa1}},
		{PCAPBigEndian, []byte{0xa1, 0xb2, 0xc3, 0xd4}},
		{PCAPNG, []byte{0x0a, 0x0d, 0x0d, 0x0a}},
	}
	for _, tt := range tests {
		var buf bytes.Buffer
		capt := New(Options{Link: Raw})
		conversation(capt, cli4, srv4)
		if err := capt.WriteTo(&buf, tt.format); err != nil {
			t.Fatal(err)
		}
		if got := buf.Bytes()[:4]; !bytes.Equal(got, tt.magic) {
			t.Errorf("format %d: magic % x, want % x", tt.format, got, tt.magic)
		}
	}
}
