package reassembly

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// What a file that is no capture ftptrace reads looks like, told from its
// first bytes, so the error names it in words ("it starts like a PNG
// image") instead of a magic number. Signatures are data: where they are,
// the bytes, and what to say.
var fileKinds = []struct {
	at    int
	magic string
	what  string
}{
	// Captures in formats ftptrace does not read: editcap converts them.
	{0, "RTSS", "a Microsoft Network Monitor 1.x capture (ftptrace reads NetMon 2.x: convert it with editcap -F pcap)"},
	{0, "snoop\x00\x00\x00", "a Solaris snoop capture (convert it with editcap -F pcap)"},
	{0, "XCP\x00", "a NetXRay or Windows Sniffer capture (convert it with editcap -F pcap)"},
	{0, "TRSNIFF data    \x1a", "a Sniffer capture (convert it with editcap -F pcap)"},
	{0, "iptrace ", "an AIX iptrace capture (convert it with editcap -F pcap)"},
	// Compressed data and archives.
	{0, "\x28\xb5\x2f\xfd", "zstd-compressed data (try unzstd)"},
	{0, "BZh", "bzip2-compressed data (try bunzip2)"},
	{0, "\xfd7zXZ\x00", "xz-compressed data (try unxz)"},
	{0, "PK\x03\x04", "a zip archive (unzip it first)"},
	{0, "PK\x05\x06", "an empty zip archive"},
	{0, "7z\xbc\xaf\x27\x1c", "a 7-Zip archive (extract the capture from it first)"},
	{0, "Rar!\x1a\x07", "a RAR archive (extract the capture from it first)"},
	{257, "ustar", "a tar archive (extract the capture from it first: tar xf)"},
	// Other files people pick by mistake.
	{0, "\x89PNG\r\n\x1a\n", "a PNG image"},
	{0, "\xff\xd8\xff", "a JPEG image"},
	{0, "GIF87a", "a GIF image"},
	{0, "GIF89a", "a GIF image"},
	{0, "%PDF-", "a PDF document"},
	{0, "\x7fELF", "an ELF binary (a program, not a capture)"},
	{0, "\xcf\xfa\xed\xfe", "a Mach-O binary (a program, not a capture)"},
	{0, "\xca\xfe\xba\xbe", "a Mach-O or Java binary (a program, not a capture)"},
	{0, "SQLite format 3\x00", "an SQLite database"},
	{0, "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "a Microsoft Office (OLE) document"},
}

// describeStart names what a file starting with head looks like; gzip
// tells the bytes came out of gzip.
func describeStart(head []byte, gzip bool) string {
	what := ""
	for _, k := range fileKinds {
		if len(head) >= k.at+len(k.magic) && string(head[k.at:k.at+len(k.magic)]) == k.magic {
			what = k.what
			break
		}
	}
	switch {
	case what == "" && looksLikeText(head):
		what = describeText(head)
	case what == "" && len(head) >= 2 && head[0] == 'M' && head[1] == 'Z':
		what = "a Windows program (a program, not a capture)"
	case what == "":
		n := min(len(head), 8)
		return fmt.Sprintf("its first bytes (% x) begin no capture format ftptrace knows", head[:n])
	}
	if gzip {
		if strings.HasPrefix(what, "a tar archive") {
			return "it is a gzip'd tar archive (extract the capture from it first: tar xzf)"
		}
		return "it is gzip'd, and inside it starts like " + what
	}
	return "it starts like " + what
}

// looksLikeText tells whether head is text: UTF-8 (or UTF-16 with a byte
// order mark) without control characters but tabs and ends of lines.
func looksLikeText(head []byte) bool {
	if utf16Text(head) {
		return true
	}
	if len(head) == 0 {
		return false
	}
	for len(head) > 0 {
		r, n := utf8.DecodeRune(head)
		if r == utf8.RuneError && n <= 1 {
			return len(head) < utf8.UTFMax && !utf8.FullRune(head) // a character cut by the end of head
		}
		if r < ' ' && r != '\t' && r != '\n' && r != '\r' && r != '\f' || r == 0x7f {
			return false
		}
		head = head[n:]
	}
	return true
}

func utf16Text(head []byte) bool {
	return len(head) >= 2 && (head[0] == 0xff && head[1] == 0xfe || head[0] == 0xfe && head[1] == 0xff)
}

// describeText names a kind of text and quotes its first line (escaped,
// so that a hostile file cannot drive the terminal).
func describeText(head []byte) string {
	if utf16Text(head) {
		return "UTF-16 text"
	}
	line, _, _ := bytes.Cut(head, []byte("\n"))
	line = bytes.TrimSpace(line)
	kind := "text"
	low := strings.ToLower(string(line))
	switch {
	case strings.HasPrefix(low, "<?xml"):
		kind = "XML"
	case strings.HasPrefix(low, "<!doctype html"), strings.HasPrefix(low, "<html"):
		kind = "an HTML page"
	case strings.HasPrefix(low, "{"), strings.HasPrefix(low, "["):
		kind = "JSON"
	case strings.HasPrefix(low, "#!"):
		kind = "a script"
	case strings.HasPrefix(low, "-----begin"):
		kind = "a PEM key or certificate"
	}
	if len(line) == 0 {
		return kind
	}
	const show = 40
	text := string(line)
	if utf8.RuneCount(line) > show {
		text = strings.TrimSpace(string([]rune(text)[:show])) + " ..."
	}
	return fmt.Sprintf("%s (%s)", kind, strconv.Quote(text))
}
