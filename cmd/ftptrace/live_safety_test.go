package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gopacket/gopacket/pcapgo"
)

// needRoot skips a test that captures live or changes the network when
// not root (CI runs as root).
func needRoot(t *testing.T, what string) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skipf("skipping: %s needs root (CI runs it as root)", what)
	}
}

// syncBuffer is a bytes.Buffer that a process writes while a test reads.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// waitFor polls cond until it holds or d passes.
func waitFor(d time.Duration, cond func() bool) bool {
	for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		if cond() {
			return true
		}
	}
	return cond()
}

// stopped waits for a process to end and returns its exit status.
func stopped(t *testing.T, cmd *exec.Cmd, d time.Duration) int {
	t.Helper()
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	select {
	case <-done:
		return cmd.ProcessState.ExitCode()
	case <-time.After(d):
		cmd.Process.Kill()
		<-done
		t.Fatalf("ftptrace did not stop within %v", d)
		return -1
	}
}

// loopbackTraffic sends n bytes over a TCP connection on 127.0.0.1 and
// returns the server's port.
func loopbackTraffic(t *testing.T, n int) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		c, err := l.Accept()
		if err == nil {
			io.Copy(io.Discard, c)
			c.Close()
		}
	}()
	c, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	chunk := bytes.Repeat([]byte("x"), 32<<10)
	for sent := 0; sent < n; sent += len(chunk) {
		if _, err := c.Write(chunk); err != nil {
			t.Fatal(err)
		}
	}
	c.Close()
}

// -w on a disk that fills (a tmpfs of 128 KiB): the error is said at once
// while the capture goes on, the summary says how many packets were not
// saved, the exit status is 1, and the file holds whole records only.
func TestLiveSaveOnAFullDisk(t *testing.T) {
	needRoot(t, "capturing on lo and mounting a tmpfs")
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=128k", "ftptrace-test", dir).CombinedOutput(); err != nil {
		t.Fatalf("mount a tmpfs: %v: %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", dir).Run() })
	saved := filepath.Join(dir, "saved.pcap")
	var out, errb syncBuffer
	trace := exec.Command(ftptraceBin, "-i", "lo", "-w", saved, "--bpf", "tcp and host 127.0.0.1", "summary")
	trace.Stdout, trace.Stderr = &out, &errb
	if err := trace.Start(); err != nil {
		t.Fatal(err)
	}
	defer trace.Process.Kill()
	if !waitFor(10*time.Second, func() bool { return strings.Contains(errb.String(), "capturing on lo") }) {
		t.Fatalf("ftptrace did not start: %s", errb.String())
	}
	time.Sleep(500 * time.Millisecond) // let libpcap attach
	loopbackTraffic(t, 4<<20)
	said := waitFor(5*time.Second, func() bool { return strings.Contains(errb.String(), "-w "+saved+": disk full after") })
	check(t, said, "no word of the full disk while capturing: %q", errb.String())
	check(t, strings.Contains(errb.String(), "the capture goes on"), "stderr does not say the capture goes on: %q", errb.String())
	trace.Process.Signal(syscall.SIGINT)
	code := stopped(t, trace, 15*time.Second)
	t.Logf("stderr: %s\nstdout's end: %s", errb.String(), out.String()[max(0, len(out.String())-300):])
	check(t, code == 1, "exit %d, want 1; stderr %s", code, errb.String())
	check(t, strings.Contains(out.String(), "packets were not saved to "+saved+" (disk full)"), "the summary does not count the packets not saved:\n%s", out.String())
	check(t, strings.Contains(errb.String(), "packets were not saved (disk full)"), "no closing error line: %q", errb.String())

	f, err := os.Open(saved)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := pcapgo.NewReader(f)
	if err != nil {
		t.Fatalf("the -w file is no capture: %v", err)
	}
	n := 0
	for {
		_, _, err := r.ReadPacketData()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("record %d of the -w file: %v (a half-written record)", n+1, err)
		}
		n++
	}
	check(t, n > 0, "the -w file holds no packet")
}

// ns runs a command in a network namespace.
func ns(name string, args ...string) *exec.Cmd {
	return exec.Command("ip", append([]string{"netns", "exec", name}, args...)...)
}

func mustRun(t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v: %v: %s", cmd.Args, err, out)
	}
}

// An interface deleted while ftptrace captures on it: the capture ends
// with a message that names it and says when, what was captured is
// reported (here a login), and the exit status is 1. Two namespaces of
// the test's own, joined by a veth pair with addresses of their own, carry
// a short FTP login; then the test deletes the veth.
func TestLiveInterfaceGoesAway(t *testing.T) {
	needRoot(t, "creating network namespaces")
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("skipping: python3 plays the FTP server and client")
	}
	suffix := fmt.Sprint(os.Getpid() % 100000)
	nsA, nsB, vethA := "ftpt-a-"+suffix, "ftpt-b-"+suffix, "ftva"+suffix
	mustRun(t, exec.Command("ip", "netns", "add", nsA))
	t.Cleanup(func() { exec.Command("ip", "netns", "del", nsA).Run() })
	mustRun(t, exec.Command("ip", "netns", "add", nsB))
	t.Cleanup(func() { exec.Command("ip", "netns", "del", nsB).Run() })
	mustRun(t, ns(nsA, "ip", "link", "add", vethA, "type", "veth", "peer", "name", "ftvb"+suffix, "netns", nsB))
	mustRun(t, ns(nsA, "ip", "addr", "add", "10.213.0.1/24", "dev", vethA))
	mustRun(t, ns(nsB, "ip", "addr", "add", "10.213.0.2/24", "dev", "ftvb"+suffix))
	mustRun(t, ns(nsA, "ip", "link", "set", vethA, "up"))
	mustRun(t, ns(nsB, "ip", "link", "set", "ftvb"+suffix, "up"))

	var out, errb syncBuffer
	trace := ns(nsA, ftptraceBin, "--json", "-i", vethA)
	trace.Stdout, trace.Stderr = &out, &errb
	if err := trace.Start(); err != nil {
		t.Fatal(err)
	}
	defer trace.Process.Kill()
	if !waitFor(10*time.Second, func() bool { return strings.Contains(errb.String(), "capturing on "+vethA) }) {
		t.Fatalf("ftptrace did not start: %s", errb.String())
	}
	server := ns(nsA, "python3", "-c", `
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("10.213.0.1", 21)); s.listen(1)
c, _ = s.accept()
c.sendall(b"220 ready\r\n"); c.recv(100)
c.sendall(b"331 password please\r\n"); c.recv(100)
c.sendall(b"230 logged in\r\n"); time.sleep(60)`)
	server.Start()
	defer server.Process.Kill()
	time.Sleep(300 * time.Millisecond)
	client := ns(nsB, "python3", "-c", `
import socket, time
c = socket.create_connection(("10.213.0.1", 21))
c.recv(100); c.sendall(b"USER alice\r\n")
c.recv(100); c.sendall(b"PASS secret\r\n")
c.recv(100); time.sleep(60)`)
	client.Start()
	defer client.Process.Kill()
	time.Sleep(2 * time.Second) // the login, and past the reordering window
	mustRun(t, ns(nsA, "ip", "link", "del", vethA))
	code := stopped(t, trace, 15*time.Second)
	t.Logf("stderr: %s", errb.String())
	check(t, code == 1, "exit %d, want 1; stderr %s", code, errb.String())
	check(t, strings.Contains(errb.String(), vethA+" went away after ") && strings.Contains(errb.String(), " s ("),
		"stderr does not say the interface went away and when: %q", errb.String())
	checkSchema(t, out.String())
	creds := records[credentialJSON](t, out.String(), "credential")
	check(t, len(creds) == 1 && creds[0].User == "alice" && creds[0].Password == "secret",
		"the login captured before the interface went away is not reported: %+v\n%s", creds, out.String())
	check(t, strings.Contains(out.String(), `"type":"summary"`), "no summary record:\n%s", out.String())
}
