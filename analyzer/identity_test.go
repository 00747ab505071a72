package analyzer

import (
	"net/netip"
	"regexp"
	"testing"
	"time"
)

func TestSessionUID(t *testing.T) {
	c, s := netip.MustParseAddrPort("192.0.2.10:40000"), netip.MustParseAddrPort("198.51.100.21:21")
	v6 := netip.MustParseAddrPort("[2001:db8::1]:21")
	at := time.Date(2008, 11, 5, 10, 0, 0, 0, time.UTC)
	uid := ConnUID(c, s, at)
	if !regexp.MustCompile(`^C[0-9A-Za-z]{17}$`).MatchString(uid) {
		t.Fatalf("uid %q is not C and 17 base-62 digits", uid)
	}
	if again := ConnUID(c, s, at.In(time.FixedZone("x", 3600))); again != uid {
		t.Errorf("the same connection gives %q, then %q", uid, again)
	}
	if swapped := ConnUID(s, c, at); swapped != uid {
		t.Errorf("client and server swapped (a midstream guess) change the uid: %q, %q", uid, swapped)
	}
	seen := map[string]string{uid: "the first"}
	for what, other := range map[string]string{
		"a nanosecond later":  ConnUID(c, s, at.Add(1)),
		"a second later":      ConnUID(c, s, at.Add(time.Second)),
		"another client port": ConnUID(netip.MustParseAddrPort("192.0.2.10:40001"), s, at),
		"another server":      ConnUID(c, v6, at),
		"the ports swapped":   ConnUID(netip.MustParseAddrPort("192.0.2.10:21"), netip.MustParseAddrPort("198.51.100.21:40000"), at),
		"a year before 1970":  ConnUID(c, s, time.Date(1969, 1, 1, 0, 0, 0, 0, time.UTC)),
	} {
		if prev, ok := seen[other]; ok {
			t.Errorf("%s gives the uid of %s: %q", what, prev, other)
		}
		seen[other] = what
	}
}
