package analyzer

import "testing"

func TestSniffMIME(t *testing.T) {
	for _, c := range []struct {
		data, want string
	}{
		{"User-agent: *\r\nDisallow: /\r\n", "text/plain"},
		{"\xef\xbb\xbfplain text with a BOM", "text/plain"},
		{"  <!DOCTYPE html><html>", "text/html"},
		{"<HTML><BODY>hello</BODY>", "text/html"},
		{"{\"a\": 1, \"b\": [2, 3]}", "text/json"},
		{"<?xml version=\"1.0\"?><a/>", "application/xml"},
		{"MZ\x90\x00\x03\x00\x00\x00\x04\x00", "application/x-dosexec"},
		{"\x7fELF\x02\x01\x01\x00", "application/x-executable"},
		{"\x1f\x8b\x08\x00\x00\x00\x00\x00", "application/x-gzip"},
		{"PK\x03\x04\x14\x00\x00\x00", "application/zip"},
		{"%PDF-1.7\n", "application/pdf"},
		{"\x89PNG\r\n\x1a\n\x00\x00", "image/png"},
		{"short", ""},                  // Zeek wants ten printable characters
		{"\x00\x01\x02\x03binary", ""}, // nothing known
		{"", ""},
	} {
		if got := sniffMIME([]byte(c.data)); got != c.want {
			t.Errorf("sniffMIME(%q) = %q, want %q", c.data, got, c.want)
		}
	}
	tar := make([]byte, 512)
	copy(tar[257:], "ustar\x0000")
	if got := sniffMIME(tar); got != "application/x-tar" {
		t.Errorf("a tar header: %q", got)
	}
}
