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
		v, ok := parseByteNumber(strings.TrimSpace(p))
		if !ok {
			return nil, false
		}
		nums[i] = v
	}
	return nums, true
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
// any printable delimiter may replace '|'.
func ParseEPRT(arg string) (netip.AddrPort, error) {
	fields, ok := splitExtended(strings.TrimSpace(arg))
	if !ok {
		return netip.AddrPort{}, errDataAddr
	}
	ip, err := netip.ParseAddr(fields[1])
	// A zone ("fe80::1%eth0") names an interface of the sender's host and
	// means nothing to the peer: RFC 2428 has no place for it.
	if err != nil || ip.Zone() != "" {
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
	arg = strings.TrimSpace(arg)
	nums, ok := parseNumberList(arg, 9)
	if !ok {
		nums, ok = parseNumberList(arg, 21)
	}
	if !ok {
		return netip.AddrPort{}, errDataAddr
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
	return netip.AddrPort{}, errDataAddr
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
		return netip.Addr{}, 0, errDataAddr
	}
	end := strings.IndexByte(text[open:], ')')
	if end < 0 {
		return netip.Addr{}, 0, errDataAddr
	}
	// splitExtended holds the delimiter to RFC 2428's printable range 33
	// to 126, so "( |||6446| )" is refused, as curl refuses it.
	fields, ok := splitExtended(text[open+1 : open+end])
	if !ok {
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
