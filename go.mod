module github.com/ftptrace/ftptrace

go 1.26.8

require (
	github.com/gopacket/gopacket v1.7.7
	github.com/mattn/go-runewidth v0.0.19
	github.com/santhosh-tekuri/jsonschema/v6 v6.0.3
	golang.org/x/sys v0.45.0
	golang.org/x/term v0.43.0
)

require (
	github.com/clipperhouse/uax29/v2 v2.6.0 // indirect
	golang.org/x/net v0.55.0 // indirect
	golang.org/x/text v0.37.0 // indirect
)
