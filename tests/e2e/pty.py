#!/usr/bin/python3
# tests/e2e/pty.py: run a command on a new pseudoterminal of a given size, as a
# user at a terminal would (`docker run -it`, `podman exec -it`, `ctr run -t`).
#
#   pty.py ROWS COLS [--input TEXT] -- CMD [ARGS...]
#
# The window size is set before CMD starts; TEXT (with \n for Enter) is typed
# once CMD has printed something, or after a second. Everything CMD writes to
# the terminal goes to stdout; the exit status is CMD's (128+N for a signal N).
# CMD is killed after 60 s.
import fcntl
import os
import select
import signal
import struct
import sys
import termios
import time


def main():
    args = sys.argv[1:]
    rows, cols = int(args[0]), int(args[1])
    args = args[2:]
    text = None
    if args and args[0] == "--input":
        text = args[1].encode().decode("unicode_escape").encode()
        args = args[2:]
    if args and args[0] == "--":
        args = args[1:]
    master, slave = os.openpty()
    fcntl.ioctl(master, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    pid = os.fork()
    if pid == 0:
        os.close(master)
        os.setsid()
        fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
        for fd in (0, 1, 2):
            os.dup2(slave, fd)
        if slave > 2:
            os.close(slave)
        os.execvp(args[0], args)
    os.close(slave)
    out = b""
    start = time.monotonic()
    typed = text is None
    while True:
        if time.monotonic() - start > 60:
            os.kill(pid, signal.SIGKILL)
            break
        if not typed and (out or time.monotonic() - start > 1):
            time.sleep(0.3)
            os.write(master, text)
            typed = True
        r, _, _ = select.select([master], [], [], 0.2)
        if r:
            try:
                data = os.read(master, 4096)
            except OSError:  # EIO: every slave fd is closed
                break
            if not data:
                break
            out += data
    _, status = os.waitpid(pid, 0)
    sys.stdout.write(out.decode(errors="replace"))
    sys.stdout.flush()
    if os.WIFSIGNALED(status):
        sys.exit(128 + os.WTERMSIG(status))
    sys.exit(os.WEXITSTATUS(status))


main()
