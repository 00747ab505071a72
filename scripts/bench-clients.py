#!/usr/bin/env python3
"""bench-clients.py - FTP clients for the benchmark's recorded traffic.

scripts/bench-record.sh runs this inside a network namespace of its own,
against a real vsftpd in another, while tcpdump records the link. It is the
second, independent source of the benchmark's traffic (issue 21): written
apart from tools/ftpbench-gen, real TCP stacks on both sides, real timing.

    bench-clients.py --server4 ADDR --server6 ADDR --client4 ADDR --client6 ADDR
                     --server-netns /run/netns/NAME
                     --sessions N --concurrency C --seed S --manifest FILE
                     --truth OUT.json --done FILE

It runs N sessions, C at a time, each drawn (by seed) from a mix of what
clients do on a real server:

    fetch     a user logs in (sometimes after a wrong password), lists and
              downloads files, uploads some (PASV, EPSV, PORT, EPRT), and
              leaves by QUIT, by closing (FIN, no QUIT) or by a reset (RST)
    anonymous anonymous, an e-mail address as password; some first try
              one of hundreds or thousands of characters, which vsftpd
              rejects (it takes at most 128), then a short one
    longpass  a user whose password is 128 characters long, after a try
              with a longer one
    brute     three wrong passwords, QUIT sent while the server waits to
              answer the third: the server closes (max_login_fails)
              without answering it, by a FIN, sometimes a RST after it
    kicked    a login, a transfer or two, then the server resets the
              connection (its socket destroyed by ss -K in its namespace)
    scan      a banner grab ended by a reset, or an anonymous login and a
              close without QUIT
    idle      a login, then nothing: the session stays open through the
              capture (the script stops recording before it ends)

Every file received is checked against the server's manifest (name, size,
SHA-256). The truth, in tools/ftpbench-gen's format with each session's end
(quit, fin, rst, or "capture ended"), goes to --truth; when every session
that ends has ended, --done is created, and the idle ones wait for SIGTERM.
"""
import argparse
import hashlib
import json
import random
import re
import socket
import struct
import subprocess
import sys
import threading
import time

USER, PASS = "ftpbench", "bench-pass-7f3k"
LONG_USER = "ftpbenchlong"
# vsftpd takes passwords of up to 128 bytes (VSFTP_PASSWORD_MAX) and
# rejects longer ones whatever they are.
PASSWORD_MAX = 128
LONG_PASS = "".join("abcdefghijklmnopqrstuvwxyz0123456789"[(i * 7 + 3) % 36] for i in range(PASSWORD_MAX))
PORT = 21
FIRST_PORT = 10000  # the control connections' client ports: FIRST_PORT + session number

KINDS = [("fetch", 40), ("anonymous", 14), ("longpass", 5), ("brute", 10), ("kicked", 8), ("scan", 15), ("idle", 8)]


def addr_port(host, port):
    """host:port as Go's netip.AddrPort writes it."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


class Failed(Exception):
    pass


class Control:
    """One control connection, replies read whole (RFC 959 4.2)."""

    def __init__(self, family, server, client, port):
        self.sock = socket.socket(family, socket.SOCK_STREAM)
        self.sock.bind((client, port))
        self.sock.connect((server, PORT))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""
        self.local = self.sock.getsockname()[:2]

    def send(self, line):
        self.sock.sendall(line.encode() + b"\r\n")

    def reply(self):
        first = self._line()
        code = first[:3]
        if first[3:4] == "-":
            while True:
                line = self._line()
                if line[:3] == code and line[3:4] == " ":
                    break
        return int(code), first

    def cmd(self, line, want=None):
        self.send(line)
        code, text = self.reply()
        if want is not None and code // 100 != want:
            raise Failed(f"{line.split()[0]}: {text}")
        return code, text

    def _line(self):
        while b"\n" not in self.buf:
            data = self.sock.recv(65536)
            if not data:
                raise Failed("server closed the control connection")
            self.buf += data
        line, self.buf = self.buf.split(b"\n", 1)
        return line.rstrip(b"\r").decode("latin-1")

    def reset(self):
        """Ends the connection with a RST: SO_LINGER with a zero timeout."""
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.sock.close()

    def close(self):
        self.sock.close()


class Session:
    def __init__(self, args, rnd, v6, manifest, port):
        self.args, self.rnd, self.v6, self.manifest, self.port = args, rnd, v6, manifest, port
        self.family = socket.AF_INET6 if v6 else socket.AF_INET
        self.server = args.server6 if v6 else args.server4
        self.client = args.client6 if v6 else args.client4
        self.truth = {"user": "", "login": "none", "credentials": [], "transfers": []}
        self.c = None

    def open(self):
        self.c = Control(self.family, self.server, self.client, self.port)
        self.truth["client"] = addr_port(*self.c.local)
        self.truth["server"] = addr_port(self.server, PORT)
        code, text = self.c.reply()
        if code != 220:
            raise Failed("banner: " + text)

    def login(self, user, password, ok=True):
        self.truth["user"] = user
        self.c.cmd("USER " + user, 3)
        code, text = self.c.cmd("PASS " + password)
        if (code == 230) != ok:
            raise Failed(f"PASS for {user}: {text}")
        self.truth["credentials"].append({"user": user, "password": password, "outcome": "accepted" if ok else "rejected"})
        if ok:
            self.truth["login"] = "success"
        elif self.truth["login"] != "success":
            self.truth["login"] = "failed"

    def transfer(self, command, path="", data=None):
        """RETR, LIST, NLST or STOR (with data) over a data mode drawn at
        random; checks a download against the manifest."""
        modes = ["EPSV", "EPRT"] if self.v6 else ["PASV", "PASV", "EPSV", "PORT", "PORT", "EPRT"]
        mode = self.rnd.choice(modes)
        line = command + (" " + path if path else "")
        listener = dconn = None
        if mode == "PASV":
            _, text = self.c.cmd("PASV", 2)
            n = [int(x) for x in re.search(r"(\d+),(\d+),(\d+),(\d+),(\d+),(\d+)", text).groups()]
            dconn = socket.create_connection((self.server, n[4] * 256 + n[5]))
        elif mode == "EPSV":
            _, text = self.c.cmd("EPSV", 2)
            dconn = socket.create_connection((self.server, int(re.search(r"\|\|\|(\d+)\|", text).group(1))))
        else:
            listener = socket.socket(self.family, socket.SOCK_STREAM)
            listener.bind((self.client, 0))
            listener.listen(1)
            port = listener.getsockname()[1]
            if mode == "PORT":
                self.c.cmd("PORT %s,%d,%d" % (self.client.replace(".", ","), port >> 8, port & 255), 2)
            else:
                self.c.cmd("EPRT |%d|%s|%d|" % (2 if self.v6 else 1, self.client, port), 2)
        self.c.send(line)
        code, text = self.c.reply()
        if code // 100 != 1:
            raise Failed(f"{line}: {text}")
        if listener:
            dconn, _ = listener.accept()
            listener.close()
        digest, size = hashlib.sha256(), 0
        if data is None:
            while True:
                b = dconn.recv(262144)
                if not b:
                    break
                digest.update(b)
                size += len(b)
        else:
            dconn.sendall(data)
            digest.update(data)
            size = len(data)
            dconn.shutdown(socket.SHUT_WR)
            while dconn.recv(65536):
                pass
        dconn.close()
        code, text = self.c.reply()
        if code != 226:
            raise Failed(f"{line}: {text}")
        sha = digest.hexdigest()
        if command == "RETR" and self.manifest[path] != (size, sha):
            raise Failed(f"RETR {path}: {size} bytes {sha}, the server has {self.manifest[path]}")
        self.truth["transfers"].append({"command": command, "mode": "active" if listener else "passive",
                                        "announce": mode, "path": path, "bytes": size, "sha256": sha})

    def work(self, n, upload=True):
        """n transfers of a user who knows the server: downloads mostly."""
        self.c.cmd("TYPE I", 2)
        files = sorted(self.manifest)
        for _ in range(n):
            r = self.rnd.random()
            if r < 0.15:
                self.transfer(self.rnd.choice(["LIST", "NLST"]))
            elif r < 0.3 and upload:
                size = int(2 ** self.rnd.uniform(0, 20))
                self.transfer("STOR", "up-%08x.bin" % self.rnd.getrandbits(32), self.rnd.randbytes(size))
            else:
                self.transfer("RETR", self.rnd.choice(files))
            time.sleep(self.rnd.uniform(0, 0.05))

    def leave(self, weights):
        """Ends the session by QUIT, by closing, or by a reset."""
        how = self.rnd.choices(["quit", "fin", "rst"], weights)[0]
        if how == "quit":
            self.c.cmd("QUIT", 2)
            self.c.close()
        elif how == "fin":
            self.c.close()
        else:
            self.c.reset()
        self.truth["ended"] = how


def fetch(s):
    s.open()
    if s.rnd.random() < 0.2:
        s.login(USER, "wrong-" + USER, ok=False)
    s.login(USER, PASS)
    s.c.cmd("PWD", 2)
    s.work(s.rnd.randint(1, 6))
    s.leave([55, 15, 30])


def anonymous(s):
    s.open()
    if s.rnd.random() < 0.4:
        s.login("anonymous", "x" * s.rnd.randint(PASSWORD_MAX, 3000) + "@example.org", ok=False)
    s.login("anonymous", "guest%d@example.org" % s.rnd.randint(0, 999))
    s.work(s.rnd.randint(1, 3), upload=False)
    s.leave([60, 20, 20])


def longpass(s):
    s.open()
    s.login(LONG_USER, LONG_PASS + "z" * s.rnd.randint(1, 400), ok=False)
    s.login(LONG_USER, LONG_PASS)
    s.work(1)
    s.leave([60, 10, 30])


def brute(s):
    s.open()
    s.truth["user"] = USER
    for i in range(3):
        password = "guess%04d" % s.rnd.randint(0, 9999)
        s.c.cmd("USER " + USER, 3)
        if i < 2:
            s.c.cmd("PASS " + password, 5)
        else:
            # A guesser that does not wait: QUIT while the server waits to
            # answer; after the third failure vsftpd closes without
            # answering it.
            s.c.send("PASS " + password)
            time.sleep(0.2)
            s.c.send("QUIT")
            code, text = s.c.reply()
            if code != 530:
                raise Failed("third PASS: " + text)
        s.truth["credentials"].append({"user": USER, "password": password, "outcome": "rejected"})
    s.truth["login"] = "failed"
    # vsftpd's two processes close the connection one after the other: the
    # first makes a FIN; the last, with the QUIT unread, sometimes a RST
    # after it. Whichever came, the capture shows it.
    try:
        while s.c.sock.recv(65536):
            pass
        time.sleep(0.1)
        reset = s.c.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) != 0
    except ConnectionResetError:
        reset = True
    s.truth["ended"] = "rst" if reset else "fin"
    s.c.close()


def kicked(s):
    """A session the server resets: its socket destroyed on the server's
    side (ss -K), as when the server aborts or an administrator kills it."""
    s.open()
    s.login(USER, PASS)
    s.work(s.rnd.randint(0, 2))
    host, port = s.c.local
    if ":" in host:
        host = "[%s]" % host  # as ss reads an IPv6 address
    r = subprocess.run(["nsenter", "--net=" + s.args.server_netns, "--", "ss", "-K", "-Htn",
                        "dst", host, "and", "dport", "=", ":%d" % port], capture_output=True, text=True)
    if r.returncode != 0 or len(r.stdout.splitlines()) != 1:
        raise Failed(f"ss -K for {host} port {port}: {r.stdout} {r.stderr}")
    try:
        if s.c.sock.recv(65536):
            raise Failed("data after the server's reset")
    except ConnectionResetError:
        pass
    s.truth["ended"] = "rst"
    s.c.close()


def scan(s):
    s.open()
    if s.rnd.random() < 0.5:
        s.c.reset()
        s.truth["ended"] = "rst"
        return
    s.login("anonymous", "scanner@example.org")
    s.c.close()
    s.truth["ended"] = "fin"


def idle(s, hold):
    s.open()
    s.login(USER, PASS)
    if s.rnd.random() < 0.5:
        s.c.cmd("TYPE I", 2)
        s.transfer("LIST")
    s.truth["ended"] = "capture ended"
    hold.append(s.c)  # kept open until the process ends


def main():
    if sys.argv[1:] == ["--users"]:  # for chpasswd: the users bench-record.sh creates
        print(f"{USER}:{PASS}\n{LONG_USER}:{LONG_PASS}")
        return
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    for a in ("server4", "server6", "client4", "client6", "server-netns", "manifest", "truth", "done"):
        p.add_argument("--" + a, required=True)
    p.add_argument("--sessions", type=int, default=200, help="at most 20000")
    p.add_argument("--concurrency", type=int, default=12)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--v6", type=float, default=0.15, help="share of sessions over IPv6")
    args = p.parse_args()
    manifest = {}
    for line in open(args.manifest):
        sha, size, name = line.split()
        manifest[name] = (int(size), sha)
    master = random.Random(args.seed)
    plans = [(master.choices([k for k, _ in KINDS], [w for _, w in KINDS])[0], master.random() < args.v6,
              master.getrandbits(64)) for _ in range(args.sessions)]
    truths = [None] * len(plans)
    hold, errors, lock = [], [], threading.Lock()
    nxt = iter(range(len(plans)))

    def worker():
        while True:
            with lock:
                i = next(nxt, None)
            if i is None or errors:
                return
            kind, v6, seed = plans[i]
            # Each control connection from a port of its own, below the
            # kernel's ephemeral range: no two sessions share a 4-tuple,
            # so each is told apart in the truth by its endpoints.
            s = Session(args, random.Random(seed), v6, manifest, FIRST_PORT + i)
            try:
                if kind == "idle":
                    idle(s, hold)
                else:
                    globals()[kind](s)
            except Exception as e:  # a session that went wrong spoils the truth
                errors.append(f"session {i + 1} ({kind}, {s.truth.get('client')}): {e!r}")
                return
            truths[i] = s.truth
            time.sleep(master.uniform(0, 0.02))

    threads = [threading.Thread(target=worker) for _ in range(args.concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        print("bench-clients.py: " + "; ".join(errors[:5]), file=sys.stderr)
        sys.exit(1)
    out = {"profile": "recorded", "sessions": truths, "credentials": sum(len(t["credentials"]) for t in truths),
           "transfers": sum(len(t["transfers"]) for t in truths)}
    with open(args.truth, "w") as f:
        json.dump(out, f, indent=1)
    open(args.done, "w").close()
    while hold:  # the idle sessions stay open until SIGTERM ends the process
        time.sleep(3600)


if __name__ == "__main__":
    main()
