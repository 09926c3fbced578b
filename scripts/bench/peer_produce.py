#!/usr/bin/env python3
"""The peer side of the replay benchmark: produce COUNT messages shaped like the benchmark's
dead letters (the same payload and key sizes, a replay header) with the official client and
wait until the broker confirmed every one, as `dlq replay` does.

  peer_produce.py --kafka HOST:PORT --topic T --count N    confluent-kafka, delivery reports
  peer_produce.py --pulsar URL --topic T --count N         pulsar-client, send_async + flush

--sizes LO-HI sends the payloads seed_bulk.py --sizes LO-HI seeded (the same sizes per N).
"""
import argparse
import sys

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from seed_bulk import event, set_sizes  # noqa: E402



def stderr_logger():
    """The Pulsar client's log, on stderr: its ConsoleLogger writes to stdout, where this
    script's JSON goes (an error logged on a loaded machine once broke a test's parse). A Python
    logger would do, but the client's threads then call into Python while it shuts down."""
    import pulsar as _p
    return _p.FileLogger(_p.LoggerLevel.Error, "/dev/stderr")

def kafka(bootstrap, topic, count):
    from confluent_kafka import Producer
    p = Producer({"bootstrap.servers": bootstrap, "linger.ms": 5, "acks": "all",
                  "queue.buffering.max.messages": 500000})
    confirmed, failed = [0], []

    def report(err, _msg):
        if err:
            failed.append(err)
        else:
            confirmed[0] += 1

    for n in range(count):
        while True:
            try:
                p.produce(topic, key=f"order-{n}".encode(), value=event(n),
                          headers=[("dlq-replay-of", f"bench.DLT@0:{n}".encode())], on_delivery=report)
                break
            except BufferError:
                p.poll(0.05)
        if n % 10000 == 0:
            p.poll(0)
    p.flush(600)
    return confirmed[0], failed


def pulsar(url, topic, count):
    import pulsar as pc
    client = pc.Client(url, logger=stderr_logger())
    producer = client.create_producer(topic, batching_enabled=False, max_pending_messages=1000,
                                      block_if_queue_full=True)
    confirmed, failed = [0], []

    def report(res, _mid):
        if res == pc.Result.Ok:
            confirmed[0] += 1
        else:
            failed.append(res)

    for n in range(count):
        producer.send_async(event(n), report, partition_key=f"order-{n}",
                            properties={"dlq-replay-of": f"bench-DLQ@{n}:0:-1"})
    producer.flush()
    client.close()
    return confirmed[0], failed


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--kafka")
    ap.add_argument("--pulsar")
    ap.add_argument("--topic", required=True)
    ap.add_argument("--count", type=int, required=True)
    ap.add_argument("--sizes", metavar="LO-HI", help="payload sizes, as seed_bulk.py --sizes")
    args = ap.parse_args()
    set_sizes(args.sizes)
    ok, failed = kafka(args.kafka, args.topic, args.count) if args.kafka else pulsar(args.pulsar, args.topic, args.count)
    if failed or ok != args.count:
        sys.exit(f"{ok} of {args.count} confirmed; {len(failed)} failed")
    print(ok, file=sys.stderr)


if __name__ == "__main__":
    main()
