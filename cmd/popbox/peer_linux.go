package main

import (
	"net"
	"os"

	"golang.org/x/sys/unix"
)

// samePeer says whether the process at the other end of c runs as this
// process's user (SO_PEERCRED): only the owner of the database may run
// commands on it, whatever the socket file's mode.
func samePeer(c *net.UnixConn) bool {
	rc, err := c.SyscallConn()
	if err != nil {
		return false
	}
	var cred *unix.Ucred
	var cerr error
	if err := rc.Control(func(fd uintptr) {
		cred, cerr = unix.GetsockoptUcred(int(fd), unix.SOL_SOCKET, unix.SO_PEERCRED)
	}); err != nil || cerr != nil {
		return false
	}
	return int(cred.Uid) == os.Geteuid()
}
