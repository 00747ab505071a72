package scenarios

import (
	"fmt"
	"time"

	"github.com/ftptrace/ftptrace/internal/synth"
)

// The small session repeated over every link-layer and file-format variant.
var (
	linkClient   = ap("192.0.2.10:40900")
	linkServer   = ap("192.0.2.21:21")
	linkData     = ap("192.0.2.10:40901")
	linkDataSrv  = ap("192.0.2.21:50900")
	link6Client  = ap("[2001:db8::10]:40900")
	link6Server  = ap("[2001:db8::21]:21")
	link6Passive = ap("[2001:db8::21]:50900")
	link6Active  = ap("[2001:db8::10]:40902")
)

func init() {
	variants := []struct {
		name, file, desc string
		opts             synth.Options
	}{
		{"vlan", "synth-vlan.pcap", "Ethernet with an 802.1Q tag (VLAN 120)", synth.Options{VLAN: 120}},
		{"sll", "synth-sll.pcap", "Linux cooked capture v1 (link type 113)", synth.Options{Link: synth.SLL, Local: linkClient.Addr()}},
		{"sll2", "synth-sll2.pcap", "Linux cooked capture v2 (link type 276)", synth.Options{Link: synth.SLL2, Local: linkClient.Addr()}},
		{"null", "synth-null.pcap", "BSD loopback (link type 0)", synth.Options{Link: synth.Null}},
		{"raw", "synth-raw.pcap", "raw IPv4 (link type 101)", synth.Options{Link: synth.Raw}},
		{"nanos", "synth-nanos.pcap", "pcap with nanosecond timestamps (magic a1b23c4d)", synth.Options{Format: synth.PCAPNano, Step: 50123 * time.Nanosecond}},
		{"bigendian", "synth-bigendian.pcap", "big-endian pcap (written without pcapgo)", synth.Options{Format: synth.PCAPBigEndian}},
		// Formats Wireshark reads and pcapgo does not.
		{"netmon", "synth-netmon.cap", "Microsoft Network Monitor 2.0", synth.Options{Format: synth.NetMon20}},
		{"netmon23", "synth-netmon23.cap", "Microsoft Network Monitor 2.3 (a UTC time in each record, 100 ns)",
			synth.Options{Format: synth.NetMon23, Step: 50300 * time.Nanosecond}},
		{"iseries", "synth-iseries.cap", "an IBM iSeries communications trace (UTF-16 text)",
			synth.Options{Format: synth.ISeries, Step: 1234560 * time.Nanosecond}},
		{"iseries-ascii", "synth-iseries-ascii.txt", "an IBM iSeries communications trace (ASCII text) across midnight",
			synth.Options{Format: synth.ISeriesASCII, Step: 1234560 * time.Nanosecond, Start: time.Date(2008, 11, 5, 23, 59, 59, 990000000, time.UTC)}},
		{"ss990417", "synth-ss990417.pcap", "pcap with 24-byte record headers under the standard magic (Kuznetsov ss990417, Red Hat 6.1)",
			synth.Options{Format: synth.PCAPSS990417}},
		{"ss990915", "synth-ss990915.pcap", "pcap with 28-byte record headers, magic a1b2cd34 (Kuznetsov ss990915, SuSE 6.3)",
			synth.Options{Format: synth.PCAPSS990915}},
		{"nokia", "synth-nokia.pcap", "pcap with Nokia IPSO's 20-byte record headers", synth.Options{Format: synth.PCAPNokia}},
	}
	for _, v := range variants {
		opts := v.opts
		register(Scenario{
			Name: v.name, File: v.file,
			Description: "login, PASV LIST, QUIT over " + v.desc,
			Build:       func() *synth.Capture { return buildSmall(opts) },
			Facts:       Facts{Sessions: []Session{smallFacts}},
		})
	}
	register(Scenario{
		Name: "ipv6", File: "synth-ipv6.pcapng",
		Description: "pcapng, IPv6: login, EPSV LIST, EPRT RETR, QUIT",
		Build:       buildIPv6,
		Facts: Facts{Sessions: []Session{{
			Client: link6Client, Server: link6Server, User: "ivan", Password: "six", LoggedIn: true,
			Commands: []string{"USER ivan", "PASS six", "EPSV", "LIST", "EPRT |2|2001:db8::10|40902|", "RETR notes.txt", "QUIT"},
			Replies:  []int{220, 331, 230, 229, 150, 226, 200, 150, 226, 221},
			Transfers: []Transfer{
				{Command: "LIST", Setup: "EPSV", Client: ap("[2001:db8::10]:40901"), Server: link6Passive, Bytes: len(listing)},
				{Command: "RETR notes.txt", Setup: "EPRT", Client: link6Active, Server: ap("[2001:db8::21]:20"), Bytes: 1213},
			},
		}}},
	})
}

// smallFacts is what an analyzer must report for every buildSmall capture,
// whatever its link type or file format.
var smallFacts = Session{
	Client: linkClient, Server: linkServer, User: "heidi", Password: "link", LoggedIn: true,
	Commands:  []string{"USER heidi", "PASS link", "PASV", "LIST", "QUIT"},
	Replies:   []int{220, 331, 230, 227, 150, 226, 221},
	Transfers: []Transfer{{Command: "LIST", Setup: "PASV", Client: linkData, Server: linkDataSrv, Bytes: len(listing)}},
}

// buildSmall writes the same IPv4 session (login, one passive LIST, QUIT)
// with the link type and file format in opts. Only the encapsulation
// differs between these captures; an analyzer must report smallFacts for
// each of them.
func buildSmall(opts synth.Options) *synth.Capture {
	capt := synth.New(opts)
	f := open(capt, linkClient, linkServer, "220 (vsFTPd 3.0.3)")
	f.login("heidi", "link")
	p := linkDataSrv.Port()
	f.passive("PASV", fmt.Sprintf("227 Entering Passive Mode (192,0,2,21,%d,%d).", p>>8, p&0xff),
		linkData, linkDataSrv, "LIST", listing, false)
	f.quit()
	return capt
}

// buildIPv6 is an IPv6 session in pcapng (Ethernet): EPSV then LIST, EPRT
// |2|2001:db8::10|40902| then RETR with the server connecting from port 20.
// An analyzer must handle IPv6 addresses in EPRT and pair both transfers.
func buildIPv6() *synth.Capture {
	capt := synth.New(synth.Options{Format: synth.PCAPNG})
	f := open(capt, link6Client, link6Server, "220 (vsFTPd 3.0.3)")
	f.login("ivan", "six")
	f.passive("EPSV", "229 Entering Extended Passive Mode (|||50900|)",
		ap("[2001:db8::10]:40901"), link6Passive, "LIST", listing, false)
	f.active("EPRT |2|2001:db8::10|40902|", ap("[2001:db8::21]:20"), link6Active, "RETR notes.txt", text(1213), false)
	f.quit()
	return capt
}
