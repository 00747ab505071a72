package analyzer

import (
	"errors"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// Expectation is a data connection announced on the control connection and
// not yet fully used: who will connect to which address.
type Expectation struct {
	Mode     string // "active" (the server connects) or "passive" (the client connects)
	Command  string // PORT, EPRT, LPRT, PASV, EPSV, LPSV, or "default" (RFC 959 default port)
	Announce string // the PORT command or passive reply text
	Addr     netip.AddrPort
	Time     time.Time
	Step     int // index of the announcing step in the session
	Data     *DataConn
	Transfer *Transfer
	Rejected bool // the server refused the PORT command

	sess *Session
}

var errDataAddr = errors.New("not a valid data address")

// ParsePORT decodes "h1,h2,h3,h4,p1,p2" (RFC 959): the port is p1*256+p2.
func ParsePORT(arg string) (netip.AddrPort, error) {
	nums, ok := parseNumberList(strings.TrimSpace(arg), 6)
	if !ok {
		return netip.AddrPort{}, errDataAddr
	}
	return addrPort4(nums), nil
}

func addrPort4(n []int) netip.AddrPort {
	ip := netip.AddrFrom4([4]byte{byte(n[0]), byte(n[1]), byte(n[2]), byte(n[3])})
	return netip.AddrPortFrom(ip, uint16(n[4]<<8|n[5]))
}

// parseNumberList reads exactly want comma-separated numbers from 0 to 255,
// allowing spaces around them.
func parseNumberList(s string, want int) ([]int, bool) {
	parts := strings.Split(s, ",")
	if len(parts) != want {
		return nil, false
	}
	nums := make([]int, want)
	for i, p := range parts {
		v, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil || v < 0 || v > 255 {
			return nil, false
		}
		nums[i] = v
	}
	return nums, true
}

// ParseEPRT decodes "|1|132.235.1.2|6275|" or "|2|::1|6275|" (RFC 2428);
// any printable delimiter may replace '|'.
func ParseEPRT(arg string) (netip.AddrPort, error) {
	fields, ok := splitExtended(strings.TrimSpace(arg))
	if !ok {
		return netip.AddrPort{}, errDataAddr
	}
	ip, err := netip.ParseAddr(fields[1])
	if err != nil {
		return netip.AddrPort{}, errDataAddr
	}
	switch fields[0] {
	case "1":
		if !ip.Is4() {
			return netip.AddrPort{}, errDataAddr
		}
	case "2":
		if !ip.Is6() || ip.Is4In6() {
			return netip.AddrPort{}, errDataAddr
		}
	default:
		return netip.AddrPort{}, errDataAddr
	}
	port, err := strconv.ParseUint(fields[2], 10, 16)
	if err != nil {
		return netip.AddrPort{}, errDataAddr
	}
	return netip.AddrPortFrom(ip, uint16(port)), nil
}

// splitExtended splits "<d>proto<d>addr<d>port<d>" into its three fields.
func splitExtended(s string) ([]string, bool) {
	if len(s) < 4 || s[0] < 33 || s[0] > 126 {
		return nil, false
	}
	d := s[:1]
	if !strings.HasSuffix(s, d) {
		return nil, false
	}
	fields := strings.Split(s[1:len(s)-1], d)
	if len(fields) != 3 {
		return nil, false
	}
	return fields, true
}

// ParseLPRT decodes the long address of LPRT and of the 228 reply (RFC 1639):
// "4,4,h1,h2,h3,h4,2,p1,p2" or "6,16,h1..h16,2,p1,p2".
func ParseLPRT(arg string) (netip.AddrPort, error) {
	parts := strings.Split(strings.TrimSpace(arg), ",")
	nums := make([]int, len(parts))
	for i, p := range parts {
		v, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil || v < 0 || v > 255 {
			return netip.AddrPort{}, errDataAddr
		}
		nums[i] = v
	}
	var ip netip.Addr
	rest := nums
	switch {
	case len(nums) == 9 && nums[0] == 4 && nums[1] == 4:
		ip = netip.AddrFrom4([4]byte{byte(nums[2]), byte(nums[3]), byte(nums[4]), byte(nums[5])})
		rest = nums[6:]
	case len(nums) == 21 && nums[0] == 6 && nums[1] == 16:
		var a [16]byte
		for i := range a {
			a[i] = byte(nums[2+i])
		}
		ip = netip.AddrFrom16(a)
		rest = nums[18:]
	default:
		return netip.AddrPort{}, errDataAddr
	}
	if rest[0] != 2 {
		return netip.AddrPort{}, errDataAddr
	}
	return netip.AddrPortFrom(ip, uint16(rest[1]<<8|rest[2])), nil
}

// ParsePASVReply finds the six numbers of a 227 reply. Servers write them
// "(h1,h2,h3,h4,p1,p2)", without parentheses, or after "=": the first run of
// six comma-separated numbers wins, as in curl and Zeek.
func ParsePASVReply(text string) (netip.AddrPort, error) {
	for i := 0; i < len(text); i++ {
		if !isDigit(text[i]) || (i > 0 && isDigit(text[i-1])) {
			continue
		}
		j := i
		for j < len(text) && (isDigit(text[j]) || text[j] == ',' || text[j] == ' ') {
			j++
		}
		cand := strings.TrimRight(text[i:j], ", ")
		if nums, ok := parseNumberList(cand, 6); ok {
			return addrPort4(nums), nil
		}
		// Try the prefix of six numbers when more follow.
		if parts := strings.SplitN(cand, ",", 7); len(parts) == 7 {
			if nums, ok := parseNumberList(strings.Join(parts[:6], ","), 6); ok {
				return addrPort4(nums), nil
			}
		}
		i = j
	}
	return netip.AddrPort{}, errDataAddr
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }

// ParseEPSVReply reads the port of a 229 reply, "(|||6446|)" with any
// delimiter (RFC 2428). The address part is normally empty: the client
// connects to the control connection's server address.
func ParseEPSVReply(text string) (netip.Addr, uint16, error) {
	open := strings.IndexByte(text, '(')
	if open < 0 {
		return netip.Addr{}, 0, errDataAddr
	}
	end := strings.IndexByte(text[open:], ')')
	if end < 0 {
		return netip.Addr{}, 0, errDataAddr
	}
	inner := text[open+1 : open+end]
	if len(inner) < 5 {
		return netip.Addr{}, 0, errDataAddr
	}
	d := inner[:1]
	if !strings.HasSuffix(inner, d) {
		return netip.Addr{}, 0, errDataAddr
	}
	fields := strings.Split(inner[1:len(inner)-1], d)
	if len(fields) != 3 {
		return netip.Addr{}, 0, errDataAddr
	}
	port, err := strconv.ParseUint(fields[2], 10, 16)
	if err != nil || port == 0 {
		return netip.Addr{}, 0, errDataAddr
	}
	var ip netip.Addr
	if fields[1] != "" {
		ip, _ = netip.ParseAddr(fields[1])
	}
	return ip, uint16(port), nil
}

// ParseLPSVReply reads the address of a 228 reply:
// "228 Entering Long Passive Mode (4,4,h1,h2,h3,h4,2,p1,p2)".
func ParseLPSVReply(text string) (netip.AddrPort, error) {
	open := strings.IndexByte(text, '(')
	if open < 0 {
		return netip.AddrPort{}, errDataAddr
	}
	end := strings.IndexByte(text[open:], ')')
	if end < 0 {
		return netip.AddrPort{}, errDataAddr
	}
	return ParseLPRT(text[open+1 : open+end])
}
