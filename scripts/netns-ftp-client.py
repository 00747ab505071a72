#!/usr/bin/env python3
"""netns-ftp-client.py - a scripted FTP client for scripts/record-netns-fixtures.sh.

Runs a list of steps against one server, in order, with Python's ftplib:

    netns-ftp-client.py HOST PORT USER PASSWORD STEP...

STEP is one of
    passive | active      data connections by PASV / by PORT from now on
    list                  LIST (output discarded)
    get:NAME              RETR NAME into the current directory
    put:NAME              STOR the local file NAME
    sleep:SECONDS         wait (the recording script starts or stops a capture meanwhile)
    quit                  QUIT, then close the connection normally (FIN)
    reset                 close the control connection with a RST (SO_LINGER 0), as
                          clients killed or timed out do, without QUIT

The client logs in first (USER/PASS). It exists because the stock clients
(tnftp, lftp, curl) can neither pause at a chosen point of a session nor end a
control connection with a RST.
"""
import ftplib
import socket
import struct
import sys
import time


def main(argv):
    if len(argv) < 5:
        print(__doc__, file=sys.stderr)
        return 2
    host, port, user, password, steps = argv[0], int(argv[1]), argv[2], argv[3], argv[4:]
    ftp = ftplib.FTP()
    ftp.connect(host, port, timeout=30)
    ftp.login(user, password)
    for step in steps:
        verb, _, arg = step.partition(":")
        if verb == "passive":
            ftp.set_pasv(True)
        elif verb == "active":
            ftp.set_pasv(False)
        elif verb == "list":
            ftp.retrlines("LIST", lambda line: None)
        elif verb == "get":
            with open(arg, "wb") as f:
                ftp.retrbinary("RETR " + arg, f.write)
        elif verb == "put":
            with open(arg, "rb") as f:
                ftp.storbinary("STOR " + arg, f)
        elif verb == "sleep":
            time.sleep(float(arg))
        elif verb == "quit":
            ftp.quit()
            return 0
        elif verb == "reset":
            ftp.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            ftp.sock.close()
            return 0
        else:
            print("netns-ftp-client.py: unknown step " + step, file=sys.stderr)
            return 2
    ftp.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
