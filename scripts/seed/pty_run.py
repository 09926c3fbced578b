#!/usr/bin/env python3
"""Run a command on a pseudo-terminal, answer one prompt, report what happened.

  pty_run.py --expect TEXT --answer KEYS [--before-answer CMD [--expect-after TEXT2]] -- COMMAND...

Waits until the command prints TEXT, optionally runs CMD (a shell command, e.g. to produce more
messages while the prompt is open) and then waits for TEXT2 in what the command prints after CMD,
types KEYS, and waits for the command to end. Prints a JSON document {"exit": code, "answered":
bool, "output": "...", "echo": bool, "canonical": bool} (the terminal output, escape sequences
included; the terminal's echo and line mode as the command left them). Used by tests to drive
dlq's confirmation prompts and live views as a person would.
"""
import argparse
import fcntl
import json
import os
import pty
import select
import struct
import subprocess
import sys
import termios
import time


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--expect", required=True)
    ap.add_argument("--answer", required=True)
    ap.add_argument("--before-answer")
    ap.add_argument("--expect-after")
    ap.add_argument("--timeout", type=float, default=60)
    ap.add_argument("command", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    cmd = a.command[1:] if a.command[:1] == ["--"] else a.command

    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(cmd[0], cmd)
    # A terminal of 40 rows and 120 columns (a new pseudo-terminal has none).
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    out = b""
    answered = False
    after = None  # where the output after --before-answer begins
    deadline = time.time() + a.timeout
    while time.time() < deadline:
        r, _, _ = select.select([fd], [], [], 0.1)
        if r:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
        if not answered and after is None and a.expect.encode() in out:
            if a.before_answer:
                subprocess.run(a.before_answer, shell=True, check=True)
            after = len(out)
        if not answered and after is not None:
            if a.expect_after is None or a.expect_after.encode() in out[after:]:
                os.write(fd, a.answer.encode())
                answered = True
    else:
        os.kill(pid, 9)
    _, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    try:
        lflag = termios.tcgetattr(fd)[3]
        echo, canonical = bool(lflag & termios.ECHO), bool(lflag & termios.ICANON)
    except termios.error:
        echo = canonical = None
    json.dump({"exit": code, "answered": answered, "output": out.decode("utf-8", "replace"),
               "echo": echo, "canonical": canonical}, sys.stdout)
    print()


if __name__ == "__main__":
    main()
