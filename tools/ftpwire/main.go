// Command ftpwire is a wire with a delay, for recording fixtures: it makes
// two TAP interfaces and carries every Ethernet frame from one to the
// other after a fixed delay, as a long path would. This kernel has no
// netem qdisc, so scripts/record-diagnose.sh puts one TAP in the client's
// network namespace and the other in the server's, and records a session
// whose round trip is twice the delay (diag-window-limited).
//
//	ftpwire -a ftdg-tapc -b ftdg-taps -delay 30ms
//
// It prints "ready" once both interfaces exist and runs until killed. It
// needs root (or CAP_NET_ADMIN); Linux only.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"
	"unsafe"
)

// openTAP creates the TAP interface name (no packet information header)
// and returns its file.
func openTAP(name string) (*os.File, error) {
	fd, err := syscall.Open("/dev/net/tun", syscall.O_RDWR, 0)
	if err != nil {
		return nil, fmt.Errorf("open /dev/net/tun: %w (needs root and the tun module)", err)
	}
	var req struct {
		name  [16]byte
		flags uint16
		_     [22]byte
	}
	copy(req.name[:15], name)
	req.flags = syscall.IFF_TAP | syscall.IFF_NO_PI
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, uintptr(fd), syscall.TUNSETIFF, uintptr(unsafe.Pointer(&req))); e != 0 {
		syscall.Close(fd)
		return nil, fmt.Errorf("TUNSETIFF %s: %w", name, e)
	}
	return os.NewFile(uintptr(fd), name), nil
}

// frame is one frame in flight, due at its time.
type frame struct {
	due  time.Time
	data []byte
}

// carry reads frames from in and writes each to out delay later, in order.
func carry(in, out *os.File, delay time.Duration) {
	queue := make(chan frame, 4096)
	go func() {
		for f := range queue {
			time.Sleep(time.Until(f.due))
			out.Write(f.data) // a full queue on the other side drops the frame, as a wire would
		}
	}()
	buf := make([]byte, 65536)
	for {
		n, err := in.Read(buf)
		if err != nil {
			fmt.Fprintf(os.Stderr, "ftpwire: %s: %v\n", in.Name(), err)
			os.Exit(1)
		}
		select {
		case queue <- frame{due: time.Now().Add(delay), data: append([]byte(nil), buf[:n]...)}:
		default: // more in flight than the wire holds: dropped
		}
	}
}

func main() {
	a := flag.String("a", "", "name of the first TAP interface")
	b := flag.String("b", "", "name of the second TAP interface")
	delay := flag.Duration("delay", 25*time.Millisecond, "one-way delay")
	flag.Parse()
	if *a == "" || *b == "" || *delay < 0 {
		fmt.Fprintln(os.Stderr, "usage: ftpwire -a TAP1 -b TAP2 [-delay 25ms]")
		os.Exit(2)
	}
	ta, err := openTAP(*a)
	if err != nil {
		fmt.Fprintln(os.Stderr, "ftpwire:", err)
		os.Exit(1)
	}
	tb, err := openTAP(*b)
	if err != nil {
		fmt.Fprintln(os.Stderr, "ftpwire:", err)
		os.Exit(1)
	}
	go carry(ta, tb, *delay)
	go carry(tb, ta, *delay)
	fmt.Println("ready")
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	<-stop
}
