#!/usr/bin/env python3
"""ftp-script-client.py - a scripted FTP client for record-fixtures.sh.

It does what the usual clients (tnftp, lftp, curl) never do, so that a real
server can be recorded answering it; it talks to 127.0.0.1 only.

    ftp-script-client.py early PORT USER PASS
        Sends USER, PASS, SYST, PWD and QUIT, each in a segment of its own,
        right after the connection opens and before the server's 220 can
        arrive, then reads every reply until the server closes.

    ftp-script-client.py abor-after-eof PORT USER PASS FILE
        Logs in, TYPE I, SIZE FILE, PASV, RETR FILE; once every byte SIZE
        announced has arrived it sends ABOR at once, before the 226 (some
        clients always do), reads the data connection to its end (the
        server's FIN) and the replies; then QUIT.

    ftp-script-client.py abor-after-226 PORT USER PASS FILE
        Logs in, TYPE I, SIZE FILE, PASV, RETR FILE, reads the whole file
        and the 226; then, as Kaspersky's updater does after every
        download, interrupts the server with Telnet IAC IP and the Synch
        (IAC as TCP urgent data, then DM) and sends ABOR, with nothing left
        to abort; then NOOP and QUIT.

    ftp-script-client.py pasv-reuse PORT USER PASS FILE
        Logs in, TYPE I, PASV, RETR of a file that does not exist (550),
        then RETR FILE over the same PASV: a refused RETR does not use up
        the data connection the server announced; then QUIT.

Replies are printed as they come, one per line; the exit status is 0 when
the session went as planned.
"""
import re
import socket
import sys

HOST = "127.0.0.1"


class Control:
    def __init__(self, port):
        self.sock = socket.create_connection((HOST, port), timeout=20)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""

    def send(self, line):
        self.sock.sendall(line.encode() + b"\r\n")

    def reply(self):
        """Reads one reply, multi-line ones whole (RFC 959 4.2)."""
        first = self._line()
        code = first[:3]
        lines = [first]
        if first[3:4] == "-":
            while True:
                line = self._line()
                lines.append(line)
                if line[:3] == code and line[3:4] == " ":
                    break
        for line in lines:
            print(line, flush=True)
        return int(code), "\n".join(lines)

    def _line(self):
        while b"\n" not in self.buf:
            data = self.sock.recv(4096)
            if not data:
                raise EOFError("the server closed the control connection")
            self.buf += data
        line, self.buf = self.buf.split(b"\n", 1)
        return line.rstrip(b"\r").decode("latin-1")

    def expect(self, code):
        got, text = self.reply()
        if got != code:
            sys.exit("want %d, got: %s" % (code, text))
        return text


def early(port, user, password):
    c = Control(port)
    # Each command in its own segment, before anything is read: the 220
    # is still on its way.
    for line in ("USER " + user, "PASS " + password, "SYST", "PWD", "QUIT"):
        c.send(line)
    for code in (220, 331, 230, 215, 257, 221):
        c.expect(code)


def start_download(port, user, password, name):
    """Logs in, TYPE I, SIZE name, PASV, RETR name up to its 150; returns
    the control connection, the data connection and the size."""
    c = Control(port)
    login(c, user, password)
    c.send("TYPE I")
    c.expect(200)
    c.send("SIZE " + name)
    size = int(c.expect(213).split()[1])
    data = socket.create_connection((HOST, pasv(c)), timeout=20)
    c.send("RETR " + name)
    c.expect(150)
    return c, data, size


def drain(data, size, all_here=None):
    """Reads the data connection to its end (the server's FIN), calling
    all_here once size bytes have come; checks that size came."""
    got, called = 0, False
    while True:
        if all_here and got >= size and not called:
            all_here()
            called = True
        chunk = data.recv(65536)
        if not chunk:
            break  # the server's FIN
        got += len(chunk)
    data.close()
    if got != size:
        sys.exit("data connection carried %d bytes, SIZE said %d" % (got, size))


def abor_after_eof(port, user, password, name):
    c, data, size = start_download(port, user, password, name)
    # Every byte is here once size have come; the 226 is on its way.
    drain(data, size, lambda: c.send("ABOR"))
    c.expect(226)
    c.expect(225)
    c.send("QUIT")
    c.expect(221)


def abor_after_226(port, user, password, name):
    c, data, size = start_download(port, user, password, name)
    drain(data, size)
    c.expect(226)
    # RFC 959 4.1.3: IAC IP, then the Synch: IAC sent as urgent data (the
    # urgent pointer marks it), DM in the normal stream, then ABOR.
    c.sock.send(b"\xff\xf4\xff", socket.MSG_OOB)
    c.sock.sendall(b"\xf2ABOR\r\n")
    code, _ = c.reply()
    if code not in (225, 226):
        sys.exit("want 225 or 226 to ABOR, got %d" % code)
    c.send("NOOP")
    c.expect(200)
    c.send("QUIT")
    c.expect(221)


def login(c, user, password):
    c.expect(220)
    c.send("USER " + user)
    c.expect(331)
    c.send("PASS " + password)
    c.expect(230)


def pasv(c):
    """Sends PASV and returns the port of the 227 reply."""
    c.send("PASV")
    nums = re.search(r"(\d+),(\d+),(\d+),(\d+),(\d+),(\d+)", c.expect(227)).groups()
    return int(nums[4]) * 256 + int(nums[5])


def pasv_reuse(port, user, password, name):
    c = Control(port)
    login(c, user, password)
    c.send("TYPE I")
    c.expect(200)
    data_port = pasv(c)
    c.send("RETR no-such-" + name)
    c.expect(550)
    data = socket.create_connection((HOST, data_port), timeout=20)
    c.send("RETR " + name)
    c.expect(150)
    while data.recv(65536):
        pass
    data.close()
    c.expect(226)
    c.send("QUIT")
    c.expect(221)


def main(argv):
    if len(argv) >= 5 and argv[1] == "early":
        early(int(argv[2]), argv[3], argv[4])
    elif len(argv) >= 6 and argv[1] == "abor-after-226":
        abor_after_226(int(argv[2]), argv[3], argv[4], argv[5])
    elif len(argv) >= 6 and argv[1] == "abor-after-eof":
        abor_after_eof(int(argv[2]), argv[3], argv[4], argv[5])
    elif len(argv) >= 6 and argv[1] == "pasv-reuse":
        pasv_reuse(int(argv[2]), argv[3], argv[4], argv[5])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
