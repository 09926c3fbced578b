#!/usr/bin/env python3
"""Seed N realistic dead letters fast, for benchmarks: Spring-style dead letters (kafka_dlt-*
headers, the same partition scheme) with ~300-byte JSON order events, on Kafka with the
official librdkafka client; on Pulsar, the properties the official client's DLQ sets
(REAL_TOPIC, ORIGIN_MESSAGE_ID), produced with batching as a busy service would.
Prints {"topic", "count", "seconds"}."""
import argparse
import json
import struct
import sys
import time


PAD = 0



def stderr_logger():
    """The Pulsar client's log, on stderr: its ConsoleLogger writes to stdout, where this
    script's JSON goes (an error logged on a loaded machine once broke a test's parse). A Python
    logger would do, but the client's threads then call into Python while it shuts down."""
    import pulsar as _p
    return _p.FileLogger(_p.LoggerLevel.Error, "/dev/stderr")

def event(n):
    notes = {"notes": "x" * PAD} if PAD else {}
    return json.dumps({**notes,
        "order_id": n, "amount": {"value": 10 + n % 1000, "currency": "EUR"},
        "customer": {"name": f"Customer {n}", "email": f"customer{n}@example.com"},
        "payment": {"card_number": "4111111111111111", "expiry": "12/29"},
        "lines": [{"sku": f"SKU-{n % 97}", "qty": 1 + n % 3}],
    }).encode()


def kafka(args):
    from confluent_kafka import Producer
    from confluent_kafka.admin import AdminClient, NewTopic
    admin = AdminClient({"bootstrap.servers": args.bootstrap})
    for f in admin.create_topics([NewTopic(args.topic, num_partitions=args.partitions, replication_factor=1)]).values():
        try:
            f.result(30)
        except Exception as e:
            if "already exists" not in str(e).lower() and "TOPIC_ALREADY_EXISTS" not in str(e):
                raise
    p = Producer({"bootstrap.servers": args.bootstrap, "linger.ms": 20, "batch.num.messages": 10000,
                  "queue.buffering.max.messages": 500000, "compression.type": "none"})
    errors = []
    cls = b"org.springframework.kafka.listener.ListenerExecutionFailedException"
    for n in range(args.count):
        part = n % args.partitions
        headers = [
            ("kafka_dlt-original-topic", b"orders"),
            ("kafka_dlt-original-partition", struct.pack(">i", part)),
            ("kafka_dlt-original-offset", struct.pack(">q", n // args.partitions)),
            ("kafka_dlt-original-timestamp", struct.pack(">q", 1_700_000_000_000 + n)),
            ("kafka_dlt-original-consumer-group", b"order-service"),
            ("kafka_dlt-exception-fqcn", cls),
            ("kafka_dlt-exception-message", f"Listener failed: unknown currency for order {n}".encode()),
            ("retry_topic-attempts", struct.pack(">i", 3)),
        ]
        while True:
            try:
                p.produce(args.topic, key=f"order-{n}".encode(), value=event(n), headers=headers,
                          partition=part, on_delivery=lambda err, msg: err and errors.append(err))
                break
            except BufferError:
                p.poll(0.05)
        if n % 10000 == 0:
            p.poll(0)
    p.flush(600)
    if errors:
        sys.exit(f"{len(errors)} deliveries failed: {errors[0]}")


def pulsar(args):
    import pulsar as pc
    client = pc.Client(args.url, operation_timeout_seconds=60, logger=stderr_logger())
    producer = client.create_producer(args.topic, batching_enabled=args.batch, batching_max_messages=1000,
                                      batching_max_publish_delay_ms=10, max_pending_messages=10000,
                                      block_if_queue_full=True)
    errors = []
    for n in range(args.count):
        producer.send_async(event(n), lambda res, mid: res != pc.Result.Ok and errors.append(res),
                            partition_key=f"order-{n}",
                            properties={"REAL_TOPIC": "persistent://public/default/orders",
                                        "ORIGIN_MESSAGE_ID": f"({n},0,-1,-1)"})
    producer.flush()
    producer.close()
    client.close()
    if errors:
        sys.exit(f"{len(errors)} sends failed: {errors[0]}")


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--bootstrap")
    ap.add_argument("--url")
    ap.add_argument("--topic", required=True)
    ap.add_argument("--count", type=int, required=True)
    ap.add_argument("--partitions", type=int, default=4)
    ap.add_argument("--no-batching", dest="batch", action="store_false",
                    help="Pulsar: one message per entry (the default batches up to 1,000 a batch)")
    ap.add_argument("--pad", type=int, default=0,
                    help="bytes of padding in each event (a notes field), for larger payloads")
    args = ap.parse_args()
    global PAD
    PAD = args.pad
    t = time.time()
    kafka(args) if args.bootstrap else pulsar(args)
    json.dump({"topic": args.topic, "count": args.count, "seconds": round(time.time() - t, 2)}, sys.stdout)
    print()


if __name__ == "__main__":
    main()
