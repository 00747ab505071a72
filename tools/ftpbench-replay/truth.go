package main

import (
	"encoding/json"
	"net/netip"
	"os"
)

// recordedTruth is what scripts/bench-clients.py writes: the sessions as its
// clients saw them.
type recordedTruth struct {
	Sessions []session `json:"sessions"`
}

// session is one FTP session of the truth, in tools/ftpbench-gen's format
// (tools/benchcheck reads both).
type session struct {
	Client      string            `json:"client"`
	Server      string            `json:"server"`
	User        string            `json:"user"`
	Login       string            `json:"login"`
	Ended       string            `json:"ended"`
	Credentials []json.RawMessage `json:"credentials"`
	Transfers   []json.RawMessage `json:"transfers"`
}

// truth is the replayed capture's truth.
type truth struct {
	Profile      string    `json:"profile"`
	Copies       int       `json:"copies"`
	Packets      int64     `json:"packets"`
	Bytes        int64     `json:"bytes"` // sum of frame lengths
	FileBytes    int64     `json:"file_bytes"`
	IPv6Sessions int       `json:"ipv6_sessions"`
	Credentials  int       `json:"credentials"`
	Transfers    int       `json:"transfers"`
	Sessions     []session `json:"sessions"`
}

// add appends the recording's sessions as copy k plays them.
func (t *truth) add(rec *recordedTruth, k int) error {
	for _, s := range rec.Sessions {
		ap, err := netip.ParseAddrPort(s.Client)
		if err != nil {
			return err
		}
		if ap.Addr().Is6() {
			t.IPv6Sessions++
		}
		s.Client = netip.AddrPortFrom(copyAddr(ap.Addr(), k), ap.Port()).String()
		t.Sessions = append(t.Sessions, s)
		t.Credentials += len(s.Credentials)
		t.Transfers += len(s.Transfers)
	}
	return nil
}

func (t *truth) writeFile(name string) error {
	b, err := json.MarshalIndent(t, "", " ")
	if err != nil {
		return err
	}
	return os.WriteFile(name, append(b, '\n'), 0o644)
}
