package main

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/ftptrace/ftptrace/schema"
)

// A FIFO that never delivers a byte (no writer ever opens it): Ctrl-C
// ends the run at once, with exit status 130, and leaves no file behind.
func TestCLIFifoInterrupt(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("cannot make a FIFO here: %v", err)
	}
	out := filepath.Join(dir, "out.txt")
	extract := filepath.Join(dir, "files")
	os.Mkdir(extract, 0o755)
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		cmd := cliCommand("-o", out, "--extract", extract, fifo)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(300 * time.Millisecond) // blocked in open(2), waiting for a writer
		cmd.Process.Signal(sig)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			t.Fatalf("%v did not end the run", sig)
		}
		if code := cmd.ProcessState.ExitCode(); code != 128+int(sig) || !strings.Contains(stderr.String(), "before any packet was read") {
			t.Errorf("%v: exit %d, stderr %q; want %d", sig, code, stderr.String(), 128+int(sig))
		}
		entries, _ := os.ReadDir(dir)
		files, _ := os.ReadDir(extract)
		if len(entries) != 2 || len(files) != 0 {
			t.Errorf("%v left files behind: %v, %v", sig, entries, files)
		}
	}
}

// startOnPipe runs ftptrace on a pipe fed with the first part of a
// capture, then nothing: the input neither ends nor goes on. Read stdout
// to its end before calling wait: wait closes it. consumed waits until
// ftptrace has read all that was written (the pipe is empty), then a
// moment more for the analysis to take it.
func startOnPipe(t *testing.T, capture []byte, args ...string) (stdout io.Reader, stderr *bytes.Buffer, wait func() int, signal func(os.Signal), consumed func()) {
	t.Helper()
	cmd := cliCommand(args...)
	in, feed, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdin = in
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr = &bytes.Buffer{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	in.Close() // ftptrace has it
	written := make(chan struct{})
	go func() { feed.Write(capture); close(written) }()
	t.Cleanup(func() { feed.Close(); cmd.Process.Kill() })
	consumed = func() {
		t.Helper()
		<-written
		for deadline := time.Now().Add(20 * time.Second); unread(t, feed) > 0; time.Sleep(10 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatal("ftptrace did not read its input in 20 s")
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	return out, stderr, func() int { cmd.Wait(); return cmd.ProcessState.ExitCode() }, func(s os.Signal) { cmd.Process.Signal(s) }, consumed
}

// unread is how many bytes wait in a pipe (FIONREAD, TIOCINQ on Linux).
func unread(t *testing.T, f *os.File) int {
	t.Helper()
	conn, err := f.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var n int
	var ierr error
	if err := conn.Control(func(fd uintptr) { n, ierr = unix.IoctlGetInt(int(fd), unix.TIOCINQ) }); err != nil || ierr != nil {
		t.Fatalf("FIONREAD on the pipe: %v %v", err, ierr)
	}
	return n
}

// Ctrl-C while a pipe is read stops as if the capture had ended there:
// the view prints what was read, the sessions still open are marked
// interrupted, one line on stderr says where it stopped, exit status 130.
func TestCLIInterruptPipe(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(sharedPcaps, "sample-captures__FTP.pcap"))
	if err != nil {
		raw, err = os.ReadFile(filepath.Join("..", "..", "testdata", "pcaps", "vsftpd-bruteforce.pcap"))
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, view := range []string{"sessions", "summary", "creds", "timeline", "--json"} {
		t.Run(view, func(t *testing.T) {
			stdout, stderr, wait, signal, consumed := startOnPipe(t, raw[:len(raw)*2/3], view, "-")
			var out bytes.Buffer
			copied := make(chan struct{})
			go func() { io.Copy(&out, stdout); close(copied) }()
			consumed()
			signal(os.Interrupt)
			// All of stdout first: Wait closes the pipe, and what the
			// reader had not taken yet would be lost (a truncated line).
			<-copied
			code := wait()
			if code != 130 {
				t.Errorf("exit %d, want 130 (stderr %q)", code, stderr)
			}
			if n := strings.Count(stderr.String(), "\n"); n != 1 || !strings.Contains(stderr.String(), "interrupted (Ctrl-C) at packet") {
				t.Errorf("stderr %q: want one line saying where it stopped", stderr)
			}
			if out.Len() == 0 || strings.Contains(out.String(), "No FTP session found") {
				t.Errorf("%s printed nothing of what was read:\n%s", view, out.String())
			}
			if (view == "sessions" || view == "--json") && !strings.Contains(out.String(), "interrupted") {
				t.Errorf("no session is marked interrupted:\n%s", out.String())
			}
			if view == "--json" {
				if _, err := schema.CheckLines(bytes.NewReader(out.Bytes())); err != nil {
					t.Errorf("the JSON of an interrupted run breaks the schema: %v", err)
				}
			}
		})
	}
}

// From a pipe the timeline streams: a session is printed once it ended,
// while the input is still open.
func TestCLITimelineStreamsFromPipe(t *testing.T) {
	first, err := os.ReadFile(article())
	if err != nil {
		t.Fatal(err)
	}
	stdout, _, wait, signal, _ := startOnPipe(t, first, "-")
	lines := make(chan string, 1000)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	deadline := time.After(10 * time.Second)
	for seen := false; !seen; {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatal("output ended before the conclusions")
			}
			seen = strings.HasPrefix(l, "Conclusions for session 1")
		case <-deadline:
			t.Fatal("the session was not printed while the pipe stayed open")
		}
	}
	signal(syscall.SIGTERM)
	if code := wait(); code != 143 {
		t.Errorf("exit %d after SIGTERM, want 143", code)
	}
}
