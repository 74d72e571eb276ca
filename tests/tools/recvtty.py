#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""recvtty.py SOCKET [INPUT]: the receiving end of --console-socket, for tests.

Listens on the unix socket SOCKET, takes one connection, receives the
terminal master the runtime sends (SCM_RIGHTS, as containerd and podman
receive it), writes INPUT to it if given, and copies everything the
container writes to the terminal to standard output until the last
process holding the terminal's peer closes it.  Prints nothing else;
exits 1 when no descriptor arrives.
"""
import os
import socket
import sys


def main():
    path = sys.argv[1]
    data = sys.argv[2].encode() if len(sys.argv) > 2 else b""
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(1)
    conn, _ = server.accept()
    name, fds, _, _ = socket.recv_fds(conn, 256, 1)
    conn.close()
    server.close()
    if not fds:
        print("recvtty: no descriptor received", file=sys.stderr)
        return 1
    master = fds[0]
    if data:
        os.write(master, data)
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # EIO: every holder of the peer is gone
            break
        if not chunk:
            break
        sys.stdout.buffer.write(chunk)
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
