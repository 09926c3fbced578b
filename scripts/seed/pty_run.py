#!/usr/bin/env python3
"""Run a command on a pseudo-terminal, answer one prompt, report what happened.

  pty_run.py --expect TEXT --answer KEYS [--before-answer CMD] -- COMMAND...

Waits until the command prints TEXT, optionally runs CMD (a shell command, e.g. to produce more
messages while the prompt is open), types KEYS, and waits for the command to end. Prints a JSON
document {"exit": code, "output": "..."} (the terminal output, escape sequences included).
Used by tests to drive dlq's confirmation prompts as a person would.
"""
import argparse
import json
import os
import pty
import select
import subprocess
import sys
import time


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--expect", required=True)
    ap.add_argument("--answer", required=True)
    ap.add_argument("--before-answer")
    ap.add_argument("--timeout", type=float, default=60)
    ap.add_argument("command", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    cmd = a.command[1:] if a.command[:1] == ["--"] else a.command

    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(cmd[0], cmd)
    out = b""
    answered = False
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
        if not answered and a.expect.encode() in out:
            if a.before_answer:
                subprocess.run(a.before_answer, shell=True, check=True)
            os.write(fd, a.answer.encode())
            answered = True
    else:
        os.kill(pid, 9)
    _, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    json.dump({"exit": code, "answered": answered, "output": out.decode("utf-8", "replace")}, sys.stdout)
    print()


if __name__ == "__main__":
    main()
