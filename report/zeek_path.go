package report

import (
	"net/netip"
	"strings"

	"github.com/ftptrace/ftptrace/analyzer"
)

// zeekCWD is the working directory as Zeek follows it
// (base/protocols/ftp/main.zeek): "." until the session says more, changed
// by CWD answered 250, CDUP answered 200 or 250, and PWD or XPWD answered
// 257. Zeek's arg for RETR and the other file commands is a URL built from
// it, "ftp://host/./dir/file" while the directory is not known; ftptrace's
// own path (transfer records) says the same thing in its own words.
type zeekCWD string

// after is the working directory once c was answered.
func (d zeekCWD) after(c *analyzer.Command) zeekCWD {
	switch {
	case c.Verb == "CWD" && c.ReplyCode == 250:
		return zeekCWD(zeekCompressPath(zeekBuildPath(string(d), c.Arg)))
	case c.Verb == "CDUP" && (c.ReplyCode == 200 || c.ReplyCode == 250):
		return zeekCWD(zeekCompressPath(zeekBuildPath(string(d), "/..")))
	case (c.Verb == "PWD" || c.Verb == "XPWD") && c.ReplyCode == 257:
		return zeekCWD(zeekExtractPath(c.ReplyText))
	}
	return d
}

// url is the URL Zeek logs for a file command's argument (FTP::build_url).
func (d zeekCWD) url(server netip.Addr, arg string) string {
	p := zeekCompressPath(zeekBuildPath(string(d), arg))
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	host := server.WithZone("").String()
	if server.Is6() && !server.Is4In6() {
		host = "[" + host + "]"
	}
	return "ftp://" + host + p
}

// zeekAbsolute tells a path that does not depend on the working directory:
// "/..." or a drive, "C:\..." or "C:/...".
func zeekAbsolute(p string) bool {
	if strings.HasPrefix(p, "/") {
		return true
	}
	return len(p) >= 3 && (p[0]|0x20 >= 'a' && p[0]|0x20 <= 'z') && p[1] == ':' && (p[2] == '/' || p[2] == '\\')
}

// zeekBuildPath joins a directory and a file name (build_path).
func zeekBuildPath(dir, file string) string {
	if zeekAbsolute(file) || dir == "" {
		return file
	}
	if strings.HasSuffix(dir, "/") {
		return dir + file
	}
	return dir + "/" + file
}

// zeekCompressPath drops "//", "/./" and a name followed by "/.."
// (compress_path); a leading "." stays, as in Zeek's "./dir/file".
func zeekCompressPath(p string) string {
	abs := strings.HasPrefix(p, "/")
	var out []string
	for i, part := range strings.Split(p, "/") {
		switch {
		case part == "":
			continue
		case part == "." && (i > 0 || abs):
			continue
		case part == ".." && len(out) > 0 && out[len(out)-1] != ".." && out[len(out)-1] != ".":
			out = out[:len(out)-1]
			continue
		}
		out = append(out, part)
	}
	joined := strings.Join(out, "/")
	if abs {
		return "/" + joined
	}
	return joined
}

// zeekExtractPath finds the directory in a 257 reply (extract_path): the
// first quoted absolute path, else the first absolute path, else "".
func zeekExtractPath(text string) string {
	for i := 0; i < len(text); i++ {
		if text[i] != '"' || !zeekAbsolute(text[i+1:]) {
			continue
		}
		if j := strings.IndexByte(text[i+1:], '"'); j >= 0 {
			return text[i+1 : i+1+j]
		}
	}
	for i := 0; i < len(text); i++ {
		if !zeekAbsolute(text[i:]) {
			continue
		}
		j := i
		for j < len(text) && text[j] != '"' && (text[j] != ' ' || (j > i && text[j-1] == '\\')) {
			j++
		}
		return text[i:j]
	}
	return ""
}
