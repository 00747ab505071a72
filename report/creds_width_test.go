package report

import (
	"bytes"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/mattn/go-runewidth"

	"github.com/ftptrace/ftptrace/analyzer"
)

func anonymous(c *analyzer.Credential) *analyzer.Credential {
	c.Anonymous = true
	return c
}

// The creds view never elides a user or a password that crossed the wire
// (what stands for one, a mask or "(hidden by TLS)", and an anonymous
// login's may be): at 80 columns it leaves out the time, the exposure and
// the step first, elides the addresses (an IPv4 address and port stay
// whole), and only then draws a line wider than asked.
func TestCredsKeepsUserAndPasswordWhole(t *testing.T) {
	v6 := netip.MustParseAddrPort("[2001:db8:1234:5678:9abc:def0:1234:10]:42600")
	v6srv := netip.MustParseAddrPort("[2001:db8:26::21]:21")
	v4 := netip.MustParseAddrPort("192.168.120.168:51299")
	v4srv := netip.MustParseAddrPort("192.168.120.240:21")
	login := func(user, pass string) *analyzer.Credential {
		return &analyzer.Credential{Time: time.Unix(0, 0), User: user, Password: pass, HasPass: true, Cleartext: true, Outcome: "accepted", Step: 8}
	}
	for _, tc := range []struct {
		name           string
		client, server netip.AddrPort
		cred           *analyzer.Credential
		whole          []string // must appear whole in the row
		fits           bool     // the table fits 80 columns
		step           bool     // the step column is still there
	}{
		{"short", v4, v4srv, login("yuanbin", "123456"), []string{"yuanbin", "123456", "192.168.120.168:51299"}, true, false},
		{"short, short addresses", netip.MustParseAddrPort("10.0.0.2:4000"), netip.MustParseAddrPort("10.0.0.1:21"), login("yuanbin", "123456"), []string{"yuanbin", "123456"}, true, true},
		{"anonymous may be elided", v4, v4srv, anonymous(login("anonymous", "mozilla@example.com")), nil, true, false},
		{"ipv6 elided first", v6, v6srv, login("svc_kiosko", "C8Zy4kQ2KTCT"), []string{"svc_kiosko", "C8Zy4kQ2KTCT", "…"}, false, false},
		{"too long to fit", v4, v4srv, login("forensics@department.example", "correct horse battery staple 2024"),
			[]string{"forensics@department.example", "correct horse battery staple 2024"}, false, false},
		{"a mask may be elided", v4, v4srv, login("yuanbin", Mask("123456")), []string{"yuanbin"}, true, false},
		{"TLS placeholders may be elided", v4, v4srv, &analyzer.Credential{Time: time.Unix(0, 0), Protected: true, Outcome: "unknown", Step: 5}, nil, true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := &analyzer.Session{ID: 1, Client: tc.client, Server: tc.server, Credentials: []*analyzer.Credential{tc.cred}}
			var out bytes.Buffer
			if err := CredsTable(&out, []*analyzer.Session{s}, Style{Width: 80}); err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(out.String(), "\n")
			head, row := lines[0], lines[2]
			for _, w := range tc.whole {
				if !strings.Contains(row, w) {
					t.Errorf("%q is not whole in the row %q", w, row)
				}
			}
			widest := 0
			for _, l := range lines[:3] {
				widest = max(widest, runewidth.StringWidth(l))
			}
			if fits := widest <= 80; fits != tc.fits {
				t.Errorf("the table is %d columns wide (fits 80: %v, want %v):\n%s", widest, fits, tc.fits, out.String())
			}
			if got := strings.Contains(head, "step"); got != tc.step {
				t.Errorf("step column shown: %v, want %v:\n%s", got, tc.step, out.String())
			}
		})
	}
}
