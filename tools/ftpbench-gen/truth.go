package main

import (
	"encoding/json"
	"os"
)

// Byte classes of the frames written, for the truth's totals.
const (
	classFTPControl = iota
	classFTPData
	classOtherTCP
	classUDP
	numClasses
)

// truth is what the generator wrote, for benchcheck to compare with
// ftptrace's analysis. tools/benchcheck decodes the same JSON.
type truth struct {
	Seed          uint64          `json:"seed"`
	Profile       string          `json:"profile,omitempty"` // sessions; empty for transfers
	Target        int64           `json:"target_bytes"`
	Packets       int64           `json:"packets"`
	Bytes         int64           `json:"bytes"` // sum of frame lengths
	FileBytes     int64           `json:"file_bytes"`
	TCPConns      int             `json:"tcp_connections"`
	FTPCtlBytes   int64           `json:"ftp_control_bytes"`
	FTPDataBytes  int64           `json:"ftp_data_bytes"`
	OtherTCPBytes int64           `json:"other_tcp_bytes"`
	UDPBytes      int64           `json:"udp_bytes"`
	IPv6Sessions  int             `json:"ipv6_sessions"`
	Credentials   int             `json:"credentials"`
	Transfers     int             `json:"transfers"`
	Sessions      []*truthSession `json:"sessions"`
}

// truthSession is one FTP session, named by its control connection.
type truthSession struct {
	Client      string          `json:"client"`
	Server      string          `json:"server"`
	User        string          `json:"user"`
	Login       string          `json:"login"` // success or failed
	Ended       string          `json:"ended"` // quit, fin or rst, as ftptrace says
	Credentials []truthCred     `json:"credentials"`
	Transfers   []truthTransfer `json:"transfers"`
}

// truthCred is one USER/PASS attempt.
type truthCred struct {
	User     string `json:"user"`
	Password string `json:"password"`
	Outcome  string `json:"outcome"` // accepted or rejected
}

// truthTransfer is one data transfer, in command order within its session.
type truthTransfer struct {
	Command  string `json:"command"`
	Mode     string `json:"mode"`     // active or passive, as ftptrace says
	Announce string `json:"announce"` // PORT, PASV, EPSV or EPRT
	Path     string `json:"path,omitempty"`
	Bytes    int    `json:"bytes"`
	SHA256   string `json:"sha256"`
}

// finish fills the totals from the writer and the sessions.
func (t *truth) finish(w *pcapWriter, tcpConns int) {
	t.Packets, t.Bytes = w.packets, w.bytes
	t.FileBytes = 24 + w.bytes + recLen*w.packets
	t.TCPConns = tcpConns
	t.FTPCtlBytes, t.FTPDataBytes = w.byClass[classFTPControl], w.byClass[classFTPData]
	t.OtherTCPBytes, t.UDPBytes = w.byClass[classOtherTCP], w.byClass[classUDP]
	for _, s := range t.Sessions {
		t.Credentials += len(s.Credentials)
		t.Transfers += len(s.Transfers)
	}
}

func (t *truth) writeFile(name string) error {
	b, err := json.MarshalIndent(t, "", " ")
	if err != nil {
		return err
	}
	return os.WriteFile(name, append(b, '\n'), 0o644)
}
