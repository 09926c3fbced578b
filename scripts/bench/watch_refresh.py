#!/usr/bin/env python3
"""Time `dlq watch` on a big DLQ: its first read, then REFRESHES refreshes while dead letters
keep arriving (ARRIVING a second, Spring-style, written with the official librdkafka client), and
its memory after each (VmRSS from /proc).

  watch_refresh.py --dlq BIN --bootstrap HOST:PORT --topic T --entries N [--refreshes 10] [--arriving 500]

Prints rows for bench.sh's results (CASE, TOOL, ENTRIES, SECONDS, PEAK_RSS_KB), tab-separated:
the first read, then each refresh (its `refresh_seconds`, the entries that arrived, the RSS after
it); bench.sh's targets take the growth of RSS from the first refresh to the last.
"""
import argparse
import json
import subprocess
import threading
import time

from confluent_kafka import Producer


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dlq", required=True)
    ap.add_argument("--bootstrap", required=True)
    ap.add_argument("--topic", required=True)
    ap.add_argument("--entries", type=int, required=True)
    ap.add_argument("--refreshes", type=int, default=10)
    ap.add_argument("--arriving", type=int, default=500)
    a = ap.parse_args()

    watch = subprocess.Popen(
        [a.dlq, "watch", a.topic, "-b", "kafka://" + a.bootstrap, "--interval", "1s", "-o", "json"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    stop = threading.Event()

    def arrive():
        p = Producer({"bootstrap.servers": a.bootstrap, "linger.ms": 5})
        headers = [("kafka_dlt-original-topic", b"orders"),
                   ("kafka_dlt-exception-fqcn", b"java.lang.IllegalStateException"),
                   ("kafka_dlt-exception-message", b"Invalid order state")]
        i = 0
        while not stop.is_set():
            for _ in range(a.arriving):
                p.produce(a.topic, key=f"order-{i}".encode(), value=b'{"id": %d}' % i, headers=headers)
                i += 1
            p.flush()
            time.sleep(1)

    case = f"kafka watch ({a.entries})"
    rows = []
    producer = None
    try:
        for n, line in enumerate(watch.stdout):
            snap = json.loads(line)
            kb = rss_kb(watch.pid)
            t = snap["topics"][0]
            if t.get("error"):
                raise SystemExit(f"watch refresh failed: {t['error']}")
            if n == 0:
                rows.append((case, "dlq first read", a.entries, snap["refresh_seconds"], kb))
                producer = threading.Thread(target=arrive, daemon=True)
                producer.start()
            else:
                rows.append((case, "dlq refresh", t["arrived"], snap["refresh_seconds"], kb))
            if n >= a.refreshes:
                break
    finally:
        stop.set()
        watch.terminate()
        watch.wait()
    for r in rows:
        print("\t".join(str(x) for x in r))


if __name__ == "__main__":
    main()
