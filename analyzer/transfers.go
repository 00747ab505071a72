package analyzer

// Transfers: the data connections announced, the commands that use them,
// and what the replies say about them.

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// maxSizes bounds the SIZE answers remembered for cross-checks.
const maxSizes = 256

func (a *Analyzer) announceActive(s *Session, cmd *Command, st *Step) {
	var (
		addr netip.AddrPort
		err  error
	)
	switch cmd.Verb {
	case "PORT":
		addr, err = ParsePORT(cmd.Arg)
	case "EPRT":
		addr, err = ParseEPRT(cmd.Arg)
	default:
		addr, err = ParseLPRT(cmd.Arg)
	}
	if err != nil {
		st.AddressNote = "invalid"
		return
	}
	st.Address = addr
	switch {
	case addr.Addr() != s.Client.Addr():
		st.AddressNote = "third-host"
	case addr.Port() < 1024:
		st.AddressNote = "privileged-port"
	}
	e := &Expectation{Mode: "active", Command: cmd.Verb, Announce: cmd.Verb + " " + cmd.Arg, Addr: addr, Time: cmd.Time,
		Step: len(s.Steps)} // the PORT step is added next
	cmd.expectsSet = e
	a.expect(s, e)
}

func (c *control) rememberSize(path string, n int64) {
	if c.sizes == nil || len(c.sizes) >= maxSizes {
		c.sizes = make(map[string]int64)
	}
	c.sizes[path] = n
}

// mlstSize reads the size fact of an MLST reply (RFC 3659 section 7):
// " size=1024;type=file;modify=... /path".
func mlstSize(text string) (int64, bool) {
	low := strings.ToLower(text)
	i := strings.Index(low, "size=")
	if i < 0 {
		return 0, false
	}
	j := i + 5
	for j < len(low) && isDigit(low[j]) {
		j++
	}
	n, err := strconv.ParseInt(low[i+5:j], 10, 64)
	return n, err == nil
}

// transferReply applies a reply to the transfer it concerns.
func transferReply(s *Session, t *Transfer, code int, text string, rep *Reply) {
	if code == 150 || code == 125 {
		if n, ok := announcedBytes(text); ok && t.Announced < 0 {
			t.Announced, t.AnnouncedBy = n, fmt.Sprintf("%d reply", code)
		}
	}
	if t.Command == "STOU" && t.Stored == "" {
		if name, ok := stouName(text); ok {
			t.Stored = name
			t.Path = s.resolve(name)
		}
	}
	if code == 426 {
		t.Aborted = true
	}
	if code >= 200 && t.Status == 0 {
		t.Status = code
		t.End = rep.Time
	}
}

// announcedBytes finds "(1234 bytes)" in a 150 reply, as vsftpd, ProFTPD
// and Pure-FTPd write it.
func announcedBytes(text string) (int64, bool) {
	i := strings.Index(text, " bytes)")
	if i < 0 {
		return 0, false
	}
	j := i
	for j > 0 && isDigit(text[j-1]) {
		j--
	}
	if j == i || j == 0 || text[j-1] != '(' {
		return 0, false
	}
	n, err := strconv.ParseInt(text[j:i], 10, 64)
	return n, err == nil
}

// stouName reads the stored name of a STOU reply: "150 FILE: name" (RFC
// 1123 4.1.2.9) or vsftpd's "150 FILE: name".
func stouName(text string) (string, bool) {
	i := strings.Index(strings.ToUpper(text), "FILE:")
	if i < 0 {
		return "", false
	}
	name := strings.TrimSpace(firstLine(text[i+5:]))
	return name, name != ""
}

// transferInProgress is the newest transfer without a final reply.
func (s *Session) transferInProgress() *Transfer {
	for i := len(s.Transfers) - 1; i >= 0; i-- {
		if s.Transfers[i].Status == 0 {
			return s.Transfers[i]
		}
	}
	return nil
}

func (a *Analyzer) announcePassive(s *Session, cmd *Command, code int, text string, st *Step) {
	var (
		addr netip.AddrPort
		err  error
	)
	switch {
	case cmd.Verb == "PASV" && code == 227:
		addr, err = ParsePASVReply(text)
	case cmd.Verb == "LPSV" && code == 228:
		addr, err = ParseLPSVReply(text)
	case cmd.Verb == "EPSV" && code == 229:
		var ip netip.Addr
		var port uint16
		ip, port, err = ParseEPSVReply(text)
		if !ip.IsValid() {
			ip = s.Server.Addr()
		}
		addr = netip.AddrPortFrom(ip, port)
	default:
		return
	}
	if err != nil {
		st.AddressNote = "invalid"
		return
	}
	st.Address = addr
	switch {
	case addr.Addr().IsUnspecified():
		st.AddressNote = "unspecified"
	case addr.Addr() != s.Server.Addr():
		st.AddressNote = "nat"
	}
	e := &Expectation{Mode: "passive", Command: cmd.Verb, Announce: strconv.Itoa(code) + " " + firstLine(text), Addr: addr, Time: st.Time}
	a.expect(s, e)
}

// startTransfer records a transfer command and ties it to the data
// connection announced before it.
func (a *Analyzer) startTransfer(s *Session, cmd *Command, info CommandInfo) {
	c := s.ctl
	t := &Transfer{ID: len(s.Transfers) + 1, Command: cmd.Verb, Arg: cmd.Arg, Direction: info.Direction,
		Start: cmd.Time, cmd: cmd, TypeA: c.typeA, Prot: c.prot, Announced: -1}
	if n, err := strconv.ParseInt(strings.TrimSpace(c.rest), 10, 64); err == nil && n > 0 {
		t.Rest = n
	}
	if cmd.Arg != "" && !strings.HasPrefix(cmd.Arg, "-") {
		t.Path = s.resolve(cmd.Arg)
	} else if info.Direction == "listing" {
		t.Path = c.cwd
	}
	if n, ok := c.sizes[t.Path]; ok && t.Direction == "download" {
		t.Announced, t.AnnouncedBy = n, "SIZE reply"
	}
	cmd.transfer = t
	if len(s.Transfers) >= s.limits.transfers() {
		return
	}
	s.Transfers = append(s.Transfers, t)
	var e *Expectation
	for i := len(c.expects) - 1; i >= 0; i-- {
		if x := c.expects[i]; x.Transfer == nil && !x.Rejected {
			e = x
			break
		}
	}
	if e == nil {
		// No PORT or PASV: RFC 959's default, the server connects from
		// port 20 to the client's control port.
		e = &Expectation{Mode: "active", Command: "default", Announce: "(none: RFC 959 default port)", Addr: s.Client, Time: cmd.Time}
		a.expect(s, e)
	}
	e.Transfer = t
	t.Mode, t.Announce = e.Mode, e.Announce
	if e.Data != nil {
		t.Data = e.Data
		if t.Direction == "listing" {
			t.Listing, e.Data.early = string(e.Data.early), nil // it came before the command
		}
	}
	c.rest = ""
}
