#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""recvpidfd.py SOCKET: the receiving end of --pidfd-socket, for tests.

Listens on the unix socket SOCKET, takes one connection, receives the
descriptor the runtime sends (SCM_RIGHTS) and prints one line:
"<payload> <what the fd is> <Pid: from its fdinfo>", e.g.
"standard anon_inode:[pidfd] 1234"; then waits for the process to exit
through the pidfd (poll) and prints "exited".  Exits 1 when no
descriptor arrives.
"""
import os
import select
import socket
import sys


def main():
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(sys.argv[1])
    server.listen(1)
    conn, _ = server.accept()
    payload, fds, _, _ = socket.recv_fds(conn, 256, 1)
    conn.close()
    server.close()
    if not fds:
        print("recvpidfd: no descriptor received", file=sys.stderr)
        return 1
    fd = fds[0]
    kind = os.readlink(f"/proc/self/fd/{fd}")
    pid = "?"
    with open(f"/proc/self/fdinfo/{fd}") as info:
        for line in info:
            if line.startswith("Pid:"):
                pid = line.split()[1]
    print(payload.decode(), kind, pid, flush=True)
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    poller.poll()
    print("exited", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
