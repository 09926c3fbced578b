#!/usr/bin/env python3
"""One timed run of `dlq replay --join` with K members at once, for scripts/bench.sh --only join.

Starts K processes of `dlq replay TOPIC --all --join -y --to TARGET --group GROUP -q -o json`
on Kafka (`--subscription GROUP` on Pulsar) together (each under GNU time for its peak RSS), waits for all of them, and prints one
results row: CASE, "K member(s)", N, the wall time from the first start to the last exit, and the
highest peak RSS (KiB). Exits non-zero unless every member exited 0 and they sent N in all.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dlq", required=True)
    ap.add_argument("--broker", required=True, help="kafka://host:port or pulsar://host:port")
    ap.add_argument("--topic", required=True)
    ap.add_argument("--target", required=True)
    ap.add_argument("--group", required=True, help="the operator group (Kafka) or subscription (Pulsar)")
    ap.add_argument("--members", type=int, required=True)
    ap.add_argument("--entries", type=int, required=True)
    ap.add_argument("--case", required=True)
    args = ap.parse_args()
    consumer_flag = "--subscription" if args.broker.startswith("pulsar") else "--group"
    tmp = tempfile.mkdtemp()
    procs = []
    started = time.monotonic()
    for i in range(args.members):
        rss = os.path.join(tmp, f"rss{i}")
        cmd = ["/usr/bin/time", "-f", "%M", "-o", rss, args.dlq, "replay", args.topic, "-b", args.broker,
               "--all", "--join", "-y", "--to", args.target, consumer_flag, args.group, "-q", "-o", "json"]
        procs.append((subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE), rss))
    sent, peak = 0, 0
    for p, rss in procs:
        out, err = p.communicate()
        if p.returncode != 0:
            sys.exit(f"a member exited {p.returncode}: {err.decode(errors='replace')[-500:]}")
        sent += json.loads(out)["sent"]
        peak = max(peak, int(open(rss).read().split()[-1]))
    wall = time.monotonic() - started
    if sent != args.entries:
        sys.exit(f"the members sent {sent}, not {args.entries}")
    label = "1 member" if args.members == 1 else f"{args.members} members"
    print(f"{args.case}\t{label}\t{args.entries}\t{wall:.2f}\t{peak}")


if __name__ == "__main__":
    main()
