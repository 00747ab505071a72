package analyzer

import (
	"bytes"
	"net/netip"
	"strings"
	"testing"

	"github.com/ftptrace/ftptrace/reassembly"
)

// FuzzDataLook holds looksLikeData, what makes a connection nothing
// announced an FTP data connection, to its rules on any first payload: from
// port 20 whatever it carries; otherwise a file's signature at its start
// (the table magics, or a PE file) or complete lines of a listing, and
// nothing else; the same answer every time.
func FuzzDataLook(f *testing.F) {
	f.Add([]byte("\x1f\x8b\x08\x00rest"), false)
	f.Add([]byte("-rw-r--r--    1 ftp      ftp          257 Jan 02  2024 readme.txt\r\ntotal 3\r\n"), false)
	f.Add([]byte("01-20-17  11:51AM       <DIR>          pub\r\n"), false)
	f.Add([]byte("type=file;size=257; readme.txt\r\n"), false)
	f.Add(append([]byte("MZ"), make([]byte, 300)...), false)
	f.Add([]byte("just text\n"), true)
	f.Fuzz(func(t *testing.T, p []byte, port20 bool) {
		c := &reassembly.Conn{Client: netip.MustParseAddrPort("192.0.2.1:40000"), Server: netip.MustParseAddrPort("192.0.2.2:50000")}
		if port20 {
			c.Client = netip.MustParseAddrPort("192.0.2.1:20")
		}
		e := &reassembly.Event{Kind: reassembly.EventPayload, Payload: p}
		look := looksLikeData(c, e)
		if again := looksLikeData(c, e); (look == nil) != (again == nil) || look != nil && *look != *again {
			t.Fatalf("two answers for one payload: %+v, %+v", look, again)
		}
		switch {
		case port20:
			if look == nil || !look.port20 {
				t.Fatalf("from port 20: %+v, want taken for data", look)
			}
		case look == nil:
		case look.listing:
			if !bytes.Contains(p, []byte("\n")) {
				t.Fatalf("a listing without a complete line: %q", p)
			}
			for _, l := range strings.Split(string(p[:bytes.LastIndexByte(p, '\n')]), "\n") {
				if !listingLine.MatchString(strings.TrimSuffix(l, "\r")) {
					t.Fatalf("a listing with the line %q", l)
				}
			}
		default:
			m := magicOf(p)
			if !isPE(p) && (m == nil || m.what != look.what) {
				t.Fatalf("taken for %s without its signature: %q", look.what, p[:min(len(p), 16)])
			}
		}
	})
}
