package main

import (
	"strconv"

	"github.com/ftptrace/ftptrace/reassembly"
)

// interfaceByNumber reads -i N as tcpdump does: the Nth interface of the
// list -D prints. A name is taken as it is.
func interfaceByNumber(iface string) (string, error) {
	n, err := strconv.Atoi(iface)
	if err != nil {
		return iface, nil
	}
	its, err := reassembly.Interfaces()
	if err != nil {
		return "", err
	}
	if n < 1 || n > len(its) {
		return "", errorf("-i %d: there are %d interfaces (ftptrace -D lists them, numbered)", n, len(its))
	}
	return its[n-1].Name, nil
}
