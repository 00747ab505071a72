package analyzer

import (
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
	// Undecoded is set for a passive reply whose address could not be
	// read: passive mode, but no connection can be matched to it.
	Undecoded bool

	sess *Session
	// Where the analyzer's table keeps it while it waits (expectTable):
	// its place in the queue (-1 when it does not wait), and the next
	// waiting for the same port.
	queued   int
	samePort *Expectation
}

// AddressError says, in the words of the RFC that defines the form, why
// the address of a PORT, EPRT or LPRT argument or of a passive reply
// cannot be read. Its text is one of the constants below: the explanation
// repeats it (and a translation finds it).
type AddressError string

func (e AddressError) Error() string { return string(e) }

// Why an address cannot be read.
const (
	ErrPortFields      AddressError = "it is not six comma-separated numbers h1,h2,h3,h4,p1,p2 (RFC 959)"
	ErrByteNumber      AddressError = "one of its numbers is not a decimal from 0 to 255"
	ErrExtendedForm    AddressError = "it does not have the form <d>af<d>address<d>port<d> (RFC 2428)"
	ErrDelimiter       AddressError = "its delimiter is not a printable ASCII character (RFC 2428)"
	ErrNoClosingDelim  AddressError = "it lacks its closing delimiter (RFC 2428: <d>af<d>address<d>port<d>)"
	ErrFamily          AddressError = "its address family is neither 1 (IPv4) nor 2 (IPv6) (RFC 2428)"
	ErrAddress         AddressError = "its address does not parse"
	ErrFamilyMismatch  AddressError = "its address is not of the family it names"
	ErrZone            AddressError = "its address names a zone, an interface of the sender's own host"
	ErrPortNumber      AddressError = "its port is not a decimal from 0 to 65535"
	ErrLongFields      AddressError = "it is neither the 9 numbers 4,4,h1-h4,2,p1,p2 nor the 21 numbers 6,16,h1-h16,2,p1,p2 (RFC 1639)"
	ErrLongFamily      AddressError = "its family and address length are neither 4,4 (IPv4) nor 6,16 (IPv6) (RFC 1639)"
	ErrLongPortLength  AddressError = "its port length is not 2 (RFC 1639)"
	ErrPASVNumbers     AddressError = "the reply holds no six comma-separated numbers h1,h2,h3,h4,p1,p2"
	ErrEPSVParentheses AddressError = "the reply holds no (<d><d><d>port<d>) in parentheses (RFC 2428)"
	ErrEPSVPort        AddressError = "the port in the reply is not a decimal from 1 to 65535"
	ErrLPSVParentheses AddressError = "the reply holds no long address in parentheses (RFC 1639)"
)

// ParsePORT decodes "h1,h2,h3,h4,p1,p2" (RFC 959): the port is p1*256+p2.
func ParsePORT(arg string) (netip.AddrPort, error) {
	nums, err := parseNumberList(strings.TrimSpace(arg), 6)
	if err != nil {
		if err == ErrLongFields {
			err = ErrPortFields
		}
		return netip.AddrPort{}, err
	}
	return addrPort4(nums), nil
}

func addrPort4(n []int) netip.AddrPort {
	ip := netip.AddrFrom4([4]byte{byte(n[0]), byte(n[1]), byte(n[2]), byte(n[3])})
	return netip.AddrPortFrom(ip, uint16(n[4]<<8|n[5]))
}

// parseNumberList reads exactly want comma-separated numbers from 0 to 255,
// allowing spaces around them. Too many or too few is ErrLongFields (the
// caller names its own form), a number out of range ErrByteNumber.
func parseNumberList(s string, want int) ([]int, error) {
	parts := strings.Split(s, ",")
	if len(parts) != want {
		return nil, ErrLongFields
	}
	nums := make([]int, want)
	for i, p := range parts {
		v, ok := parseByteNumber(strings.TrimSpace(p))
		if !ok {
			return nil, ErrByteNumber
		}
		nums[i] = v
	}
	return nums, nil
}

// parseByteNumber reads a decimal number from 0 to 255. Unlike strconv.Atoi
// it takes digits only: RFC 959 numbers have no sign, so "+1" or "-0" in a
// PORT argument is a malformed address, not 1 or 0.
func parseByteNumber(s string) (int, bool) {
	if s == "" {
		return 0, false
	}
	v := 0
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return 0, false
		}
		if v = v*10 + int(s[i]-'0'); v > 255 {
			return 0, false
		}
	}
	return v, true
}

// ParseEPRT decodes "|1|132.235.1.2|6275|" or "|2|::1|6275|" (RFC 2428);
// any printable delimiter may replace '|'. An argument that only lacks its
// closing delimiter ("|2|::1|6275", as some Windows clients sent it) gives
// ErrNoClosingDelim with the address it means: a server may take it.
func ParseEPRT(arg string) (netip.AddrPort, error) {
	fields, err := splitExtended(strings.TrimSpace(arg))
	if err != nil && err != ErrNoClosingDelim {
		return netip.AddrPort{}, err
	}
	addr, ferr := extendedAddr(fields)
	if ferr != nil {
		return netip.AddrPort{}, ferr
	}
	return addr, err
}

// extendedAddr reads the three fields of an EPRT argument.
func extendedAddr(fields []string) (netip.AddrPort, error) {
	if fields[0] != "1" && fields[0] != "2" {
		return netip.AddrPort{}, ErrFamily
	}
	ip, err := netip.ParseAddr(fields[1])
	switch {
	case err != nil:
		return netip.AddrPort{}, ErrAddress
	case ip.Zone() != "":
		// A zone ("fe80::1%eth0") names an interface of the sender's
		// host and means nothing to the peer: RFC 2428 has no place for it.
		return netip.AddrPort{}, ErrZone
	case fields[0] == "1" && !ip.Is4(), fields[0] == "2" && (!ip.Is6() || ip.Is4In6()):
		return netip.AddrPort{}, ErrFamilyMismatch
	}
	port, err := strconv.ParseUint(fields[2], 10, 16)
	if err != nil {
		return netip.AddrPort{}, ErrPortNumber
	}
	return netip.AddrPortFrom(ip, uint16(port)), nil
}

// splitExtended splits "<d>proto<d>addr<d>port<d>" into its three fields.
// Without the closing delimiter it gives the three fields all the same,
// with ErrNoClosingDelim.
func splitExtended(s string) ([]string, error) {
	if len(s) < 3 {
		return nil, ErrExtendedForm
	}
	if s[0] < 33 || s[0] > 126 {
		return nil, ErrDelimiter
	}
	d := s[:1]
	if !strings.HasSuffix(s, d) || len(s) < 4 {
		if fields := strings.Split(s[1:], d); len(fields) == 3 && fields[2] != "" {
			return fields, ErrNoClosingDelim
		}
		return nil, ErrExtendedForm
	}
	fields := strings.Split(s[1:len(s)-1], d)
	if len(fields) != 3 {
		return nil, ErrExtendedForm
	}
	return fields, nil
}

// ParseLPRT decodes the long address of LPRT and of the 228 reply (RFC 1639):
// "4,4,h1,h2,h3,h4,2,p1,p2" or "6,16,h1..h16,2,p1,p2".
func ParseLPRT(arg string) (netip.AddrPort, error) {
	arg = strings.TrimSpace(arg)
	nums, err := parseNumberList(arg, 9)
	if err == ErrLongFields {
		nums, err = parseNumberList(arg, 21)
	}
	if err != nil {
		return netip.AddrPort{}, err
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
		return netip.AddrPort{}, ErrLongFamily
	}
	if rest[0] != 2 {
		return netip.AddrPort{}, ErrLongPortLength
	}
	return netip.AddrPortFrom(ip, uint16(rest[1]<<8|rest[2])), nil
}

// ParsePASVReply finds the six numbers of a 227 reply. Servers write them
// "(h1,h2,h3,h4,p1,p2)", without parentheses, or after "=": the first six
// comma-separated numbers win, as in curl and Zeek. Spaces may surround the
// commas. A candidate starts a list: a number right after a comma or a
// minus sign is the tail of a list already rejected, not a new one.
func ParsePASVReply(text string) (netip.AddrPort, error) {
	for i := 0; i < len(text); i++ {
		if !isDigit(text[i]) || !startsList(text, i) {
			continue
		}
		if nums, ok := scanSixNumbers(text[i:]); ok {
			return addrPort4(nums[:]), nil
		}
	}
	return netip.AddrPort{}, ErrPASVNumbers
}

// startsList reports whether the digit at text[i] may begin a number list.
func startsList(text string, i int) bool {
	if i > 0 && (isDigit(text[i-1]) || text[i-1] == '-') {
		return false
	}
	j := i - 1
	for j >= 0 && text[j] == ' ' {
		j--
	}
	return j < 0 || text[j] != ','
}

// scanSixNumbers reads "n,n,n,n,n,n" (numbers 0 to 255, spaces allowed
// around the commas) at the start of s; what follows does not matter.
func scanSixNumbers(s string) (nums [6]int, ok bool) {
	p := 0
	for k := range nums {
		if k > 0 {
			for p < len(s) && s[p] == ' ' {
				p++
			}
			if p == len(s) || s[p] != ',' {
				return nums, false
			}
			p++
			for p < len(s) && s[p] == ' ' {
				p++
			}
		}
		q := p
		for q < len(s) && isDigit(s[q]) {
			q++
		}
		v, ok := parseByteNumber(s[p:q])
		if !ok {
			return nums, false
		}
		nums[k], p = v, q
	}
	return nums, true
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }

// ParseEPSVReply reads the port of a 229 reply, "(|||6446|)" with any
// delimiter (RFC 2428). The address part is normally empty: the client
// connects to the control connection's server address.
func ParseEPSVReply(text string) (netip.Addr, uint16, error) {
	open := strings.IndexByte(text, '(')
	if open < 0 {
		return netip.Addr{}, 0, ErrEPSVParentheses
	}
	end := strings.IndexByte(text[open:], ')')
	if end < 0 {
		return netip.Addr{}, 0, ErrEPSVParentheses
	}
	// splitExtended holds the delimiter to RFC 2428's printable range 33
	// to 126, so "( |||6446| )" is refused, as curl refuses it.
	fields, err := splitExtended(text[open+1 : open+end])
	if err != nil {
		return netip.Addr{}, 0, ErrEPSVParentheses
	}
	port, err := strconv.ParseUint(fields[2], 10, 16)
	if err != nil || port == 0 {
		return netip.Addr{}, 0, ErrEPSVPort
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
		return netip.AddrPort{}, ErrLPSVParentheses
	}
	end := strings.IndexByte(text[open:], ')')
	if end < 0 {
		return netip.AddrPort{}, ErrLPSVParentheses
	}
	return ParseLPRT(text[open+1 : open+end])
}

// The announced data connections still waiting are bounded across
// sessions: by age (capture time) and by count, the oldest forgotten
// first, and by port, so that matching a new connection never walks a
// long list. A crafted capture of 100 000 sessions that each asked PASV
// kept all their announcements, in a map of per-port lists.
const (
	// maxWaiting bounds the announcements waiting, all sessions together.
	maxWaiting = 16384
	// maxWaitingPerPort bounds those that wait for one port.
	maxWaitingPerPort = 64
	// maxWait is how long an announcement waits: servers give up a passive
	// listen after a minute or two (vsftpd's accept_timeout is 60 s, IIS
	// waits 120 s), clients an active one as soon.
	maxWait = 10 * time.Minute
)

// expectTable indexes the announced data connections not yet used by the
// port they go to, each port's in the order they came, and keeps them all
// in that order to forget the oldest first.
type expectTable struct {
	byPort map[uint16]*expectChain
	queue  []*Expectation // in the order they came; nil where one left
	head   int            // the first of queue that may be waiting
	n      int            // waiting
}

// expectChain lists the announcements waiting for one port, oldest first
// (Expectation.samePort links them).
type expectChain struct {
	first, last *Expectation
	n           int
}

func newExpectTable() expectTable {
	return expectTable{byPort: make(map[uint16]*expectChain)}
}

// add files e as waiting; what it displaces (the oldest of its port when
// too many wait for it) is forgotten and returned.
func (t *expectTable) add(e *Expectation) (displaced *Expectation) {
	port := e.Addr.Port()
	ch := t.byPort[port]
	if ch == nil {
		ch = &expectChain{}
		t.byPort[port] = ch
	}
	if ch.n >= maxWaitingPerPort {
		displaced = ch.first
		t.remove(displaced)
		if t.byPort[port] == nil {
			t.byPort[port] = ch
		}
	}
	if ch.last == nil {
		ch.first = e
	} else {
		ch.last.samePort = e
	}
	ch.last = e
	ch.n++
	if t.head > 1024 && t.head*2 > len(t.queue) {
		n := copy(t.queue, t.queue[t.head:])
		clear(t.queue[n:])
		t.queue, t.head = t.queue[:n], 0
		for i, x := range t.queue {
			if x != nil {
				x.queued = i
			}
		}
	}
	e.queued = len(t.queue)
	t.queue = append(t.queue, e)
	t.n++
	return displaced
}

// remove forgets e, if it waits.
func (t *expectTable) remove(e *Expectation) {
	if e.queued < 0 || e.queued >= len(t.queue) || t.queue[e.queued] != e {
		return
	}
	t.queue[e.queued] = nil
	e.queued = -1
	t.n--
	port := e.Addr.Port()
	ch := t.byPort[port]
	var prev *Expectation
	for x := ch.first; x != nil; prev, x = x, x.samePort {
		if x != e {
			continue
		}
		if prev == nil {
			ch.first = x.samePort
		} else {
			prev.samePort = x.samePort
		}
		if ch.last == x {
			ch.last = prev
		}
		break
	}
	e.samePort = nil
	if ch.n--; ch.n == 0 {
		delete(t.byPort, port)
	}
}

// waitingFor returns the first announcement waiting for port; the next
// is its samePort.
func (t *expectTable) waitingFor(port uint16) *Expectation {
	if ch := t.byPort[port]; ch != nil {
		return ch.first
	}
	return nil
}

// oldest returns the announcement waiting longest, nil when none waits.
func (t *expectTable) oldest() *Expectation {
	for t.head < len(t.queue) && t.queue[t.head] == nil {
		t.head++
	}
	if t.head == len(t.queue) {
		return nil
	}
	return t.queue[t.head]
}
