#!/usr/bin/env python3
"""Main-topic traffic at known times, and a service consuming it, with the official clients.

Kafka:  main_topic.py --kafka HOST:PORT --topic T --partitions N --per-partition M
                      --base-ms MS --step-ms S [--group G]
        Record i of partition p has key "p<p>-<i>" and timestamp MS + i*S (set by the producer).
        With --group, a consumer of group G then reads everything, commits and leaves.
Pulsar: main_topic.py --pulsar URL --topic T --batches K --per-batch M [--gap-ms 1500]
                      [--subscription S] [--pulsar-partitions N --admin-url URL]
        K batches of M messages ("b<k>-<i>"), GAP apart; prints the instant between batches.
        With --pulsar-partitions, T is created partitioned through the admin API and every
        partition gets each batch ("b<k>-p<n>-<i>", written to T-partition-n itself).
        With --subscription, a consumer of S reads and acknowledges everything first.
Prints one JSON document describing what was written.
"""
import argparse
import json
import sys
import time



def stderr_logger():
    """The Pulsar client's log, on stderr: its ConsoleLogger writes to stdout, where this
    script's JSON goes (an error logged on a loaded machine once broke a test's parse). A Python
    logger would do, but the client's threads then call into Python while it shuts down."""
    import pulsar as _p
    return _p.FileLogger(_p.LoggerLevel.Error, "/dev/stderr")

def kafka(a):
    from confluent_kafka import Consumer, Producer
    from confluent_kafka.admin import AdminClient, NewTopic
    admin = AdminClient({"bootstrap.servers": a.kafka})
    for f in admin.create_topics([NewTopic(a.topic, num_partitions=a.partitions, replication_factor=1)]).values():
        f.result(30)
    p = Producer({"bootstrap.servers": a.kafka, "linger.ms": 5})
    written = []
    for part in range(a.partitions):
        for i in range(a.per_partition):
            ts = a.base_ms + i * a.step_ms
            p.produce(a.topic, key=f"p{part}-{i}".encode(), value=json.dumps({"n": i}).encode(),
                      headers=[("trace", f"t{part}-{i}".encode())], partition=part, timestamp=ts)
            written.append({"partition": part, "offset": i, "timestamp_ms": ts})
    if p.flush(30):
        sys.exit("produce did not finish")
    if a.group:
        c = Consumer({"bootstrap.servers": a.kafka, "group.id": a.group, "auto.offset.reset": "earliest",
                      "enable.auto.commit": False, "session.timeout.ms": 6000})
        c.subscribe([a.topic])
        got, deadline = 0, time.time() + 60
        while got < len(written) and time.time() < deadline:
            m = c.poll(1)
            if m is not None and not m.error():
                got += 1
        if got < len(written):
            sys.exit(f"the service read {got} of {len(written)}")
        c.commit(asynchronous=False)
        c.close()
    json.dump({"topic": a.topic, "messages": written}, sys.stdout)


def pulsar(a):
    import pulsar as pl
    c = pl.Client(a.pulsar, logger=stderr_logger())
    topic = f"persistent://public/default/{a.topic}"
    n = a.pulsar_partitions
    if n:
        import urllib.request
        req = urllib.request.Request(f"{a.admin_url}/admin/v2/persistent/public/default/{a.topic}/partitions",
                                     data=str(n).encode(), method="PUT",
                                     headers={"Content-Type": "application/json"})
        urllib.request.urlopen(req, timeout=30).read()
    sub = c.subscribe(topic, a.subscription) if a.subscription else None
    targets = [(f"{topic}-partition-{i}", f"-p{i}") for i in range(n)] if n else [(topic, "")]
    producers = [(c.create_producer(t, batching_enabled=False), tag) for t, tag in targets]
    boundaries = []
    for k in range(a.batches):
        if k:
            time.sleep(a.gap_ms / 2000)
            boundaries.append(int(time.time() * 1000))
            time.sleep(a.gap_ms / 2000)
        for p, tag in producers:
            for i in range(a.per_batch):
                p.send(f"b{k}{tag}-{i}".encode(), partition_key=f"b{k}{tag}-{i}")
    if sub:
        for _ in range(a.batches * a.per_batch * len(producers)):
            sub.acknowledge(sub.receive(10000))
        sub.close()
    c.close()
    json.dump({"topic": topic, "boundaries_ms": boundaries}, sys.stdout)


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--kafka")
    g.add_argument("--pulsar")
    ap.add_argument("--topic", required=True)
    ap.add_argument("--partitions", type=int, default=3)
    ap.add_argument("--per-partition", type=int, default=10)
    ap.add_argument("--base-ms", type=int, default=1_700_000_000_000)
    ap.add_argument("--step-ms", type=int, default=1000)
    ap.add_argument("--group")
    ap.add_argument("--batches", type=int, default=3)
    ap.add_argument("--per-batch", type=int, default=3)
    ap.add_argument("--gap-ms", type=int, default=1500)
    ap.add_argument("--subscription")
    ap.add_argument("--pulsar-partitions", type=int, default=0)
    ap.add_argument("--admin-url")
    a = ap.parse_args()
    kafka(a) if a.kafka else pulsar(a)
    print()
