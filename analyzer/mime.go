package analyzer

import "bytes"

// magic is a file format recognised by the bytes it begins with, named as
// Zeek's file analysis names it (scripts/base/frameworks/files/magic), so
// that the mime_type of ftptrace's Zeek and ECS records matches Zeek's.
// what names it in words when its signature is strong enough to tell a
// data connection nothing announced (orphan.go); "" when not (text that
// any protocol may carry; "MZ", which isPE checks further).
type magic struct {
	offset int
	prefix string
	mime   string
	what   string
}

// magics are tried in order; the first that matches names the data.
var magics = []magic{
	{0, "MZ", "application/x-dosexec", ""},
	{0, "\x7fELF", "application/x-executable", "an ELF executable"},
	{0, "\xca\xfe\xba\xbe", "application/x-java-applet", "a Java class"},
	{0, "\xcf\xfa\xed\xfe", "application/x-mach-o-executable", "a Mach-O executable"},
	{0, "\xce\xfa\xed\xfe", "application/x-mach-o-executable", "a Mach-O executable"},
	{0, "\x1f\x8b", "application/x-gzip", "gzip data"},
	{0, "BZh", "application/x-bzip2", "bzip2 data"},
	{0, "\xfd7zXZ\x00", "application/x-xz", "xz data"},
	{0, "7z\xbc\xaf\x27\x1c", "application/x-7z-compressed", "a 7-Zip archive"},
	{0, "Rar!\x1a\x07", "application/x-rar", "a RAR archive"},
	{0, "PK\x03\x04", "application/zip", "a ZIP archive"},
	{257, "ustar", "application/x-tar", "a tar archive"},
	{0, "%PDF-", "application/pdf", "a PDF document"},
	{0, "\x89PNG\r\n\x1a\n", "image/png", "a PNG image"},
	{0, "\xff\xd8\xff", "image/jpeg", "a JPEG image"},
	{0, "GIF87a", "image/gif", "a GIF image"},
	{0, "GIF89a", "image/gif", "a GIF image"},
	{0, "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "application/vnd.ms-office", "a Microsoft Office document (OLE)"},
	{0, "\xa1\xb2\xc3\xd4", "application/vnd.tcpdump.pcap", "a packet capture"},
	{0, "\xd4\xc3\xb2\xa1", "application/vnd.tcpdump.pcap", "a packet capture"},
	{0, "\x0a\x0d\x0d\x0a", "application/vnd.tcpdump.pcap", "a packet capture"},
	{0, "-----BEGIN CERTIFICATE-----", "application/x-pem", ""},
	{0, "#!/bin/sh", "text/x-shellscript", ""},
	{0, "#!/bin/bash", "text/x-shellscript", ""},
	{0, "#!/usr/bin/env bash", "text/x-shellscript", ""},
	{0, "<?xml ", "application/xml", ""},
}

// textMagics name text by how it begins, after spaces; the rest of text
// is text/plain.
var textMagics = []magic{
	{0, "<!doctype html", "text/html", ""},
	{0, "<html", "text/html", ""},
	{0, "<head", "text/html", ""},
	{0, "<body", "text/html", ""},
	{0, "{\"", "text/json", ""},
	{0, "[{", "text/json", ""},
}

// sniffMIME names the media type of data from its first bytes, "" when it
// looks like none ftptrace knows (Zeek leaves mime_type unset then too).
func sniffMIME(p []byte) string {
	if m := magicOf(p); m != nil {
		return m.mime
	}
	if !looksLikeText(p) {
		return ""
	}
	head := bytes.ToLower(bytes.TrimLeft(bytes.TrimPrefix(p, []byte("\xef\xbb\xbf")), " \t\r\n"))
	for _, m := range textMagics {
		if bytes.HasPrefix(head, []byte(m.prefix)) {
			return m.mime
		}
	}
	return "text/plain"
}

// magicOf is the first of magics whose signature data begins with, or nil.
func magicOf(p []byte) *magic {
	for i := range magics {
		m := &magics[i]
		if len(p) >= m.offset+len(m.prefix) && string(p[m.offset:m.offset+len(m.prefix)]) == m.prefix {
			return m
		}
	}
	return nil
}

// looksLikeText is Zeek's plain-text signature: after an optional UTF-8
// byte order mark, ten printable ASCII characters or spaces.
func looksLikeText(p []byte) bool {
	p = bytes.TrimPrefix(p, []byte("\xef\xbb\xbf"))
	if len(p) < 10 {
		return false
	}
	for _, c := range p[:10] {
		if (c < 0x20 || c > 0x7e) && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v' {
			return false
		}
	}
	return true
}
