#!/usr/bin/env python3
"""Create Pulsar dead letters the way a real service does.

A producer publishes order events to TOPIC; a consumer using the official client's
DeadLetterPolicy fails (nacks) every one until the client itself moves them to
<TOPIC>-<SUBSCRIPTION>-DLQ, with REAL_TOPIC and ORIGIN_MESSAGE_ID set by the client.
With --avro-schema FILE the events are Avro, written by the client's own AvroSchema (fastavro)
as a raw datum, the way a Pulsar producer with an Avro topic schema sends them. With
--typed-consumer the failing service subscribes with that schema too, so the client's
dead-letter producer writes with it: the DLQ topic gets the schema and each dead letter names
its schema version (without it the dead letters are bare datums).
Prints one JSON document describing what was produced, for tests to check against.
"""
import argparse
import json
import sys
import time

import pulsar



def stderr_logger():
    """The Pulsar client's log, on stderr: its ConsoleLogger writes to stdout, where this
    script's JSON goes (an error logged on a loaded machine once broke a test's parse). A Python
    logger would do, but the client's threads then call into Python while it shuts down."""
    import pulsar as _p
    return _p.FileLogger(_p.LoggerLevel.Error, "/dev/stderr")

def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--url", required=True, help="pulsar://host:port")
    ap.add_argument("--topic", required=True, help="origin topic (short name)")
    ap.add_argument("--subscription", required=True, help="the failing service's subscription")
    ap.add_argument("--count", type=int, default=5)
    ap.add_argument("--timeout", type=float, default=60.0)
    ap.add_argument("--avro-schema", metavar="FILE", help="send Avro events with this schema (.avsc)")
    ap.add_argument("--typed-consumer", action="store_true",
                    help="the service's consumer (and so its dead-letter producer) uses the Avro schema")
    ap.add_argument("--property", action="append", default=[], metavar="NAME=VALUE",
                    help="an extra property on every original message (kept on the dead letter)")
    args = ap.parse_args()

    client = pulsar.Client(args.url, operation_timeout_seconds=30, logger=stderr_logger())
    topic = f"persistent://public/default/{args.topic}"
    dlq_topic = f"{topic}-{args.subscription}-DLQ"
    in_dlq_before = count_topic(client, dlq_topic)

    schema = None
    if args.avro_schema:
        from pulsar.schema import AvroSchema
        with open(args.avro_schema) as f:
            schema = AvroSchema(None, schema_definition=json.load(f))
    elif args.typed_consumer:
        sys.exit("--typed-consumer needs --avro-schema")
    consumer = client.subscribe(
        topic,
        args.subscription,
        consumer_type=pulsar.ConsumerType.Shared,
        negative_ack_redelivery_delay_ms=100,
        dead_letter_policy=pulsar.ConsumerDeadLetterPolicy(max_redeliver_count=1),
        **({"schema": schema} if args.typed_consumer else {}),
    )
    producer = client.create_producer(topic, batching_enabled=False, **({"schema": schema} if schema else {}))
    produced = []
    for i in range(args.count):
        event = {
            "order_id": 1000 + i,
            "amount": {"value": 25 + i, "currency": "EUR"},
            "customer": {"name": f"Customer {i}", "email": f"customer{i}@example.com"},
            "payment": {"card_number": "4111111111111111", "expiry": "12/29"},
        }
        key = f"order-{1000 + i}"
        props = {"app": "checkout", "trace-id": f"trace-{i:04d}"}
        props.update(p.split("=", 1) for p in args.property)
        if schema:
            body = dict(event, amount={"value": (25 + i) * 100, "currency": "EUR"}, placed_at=1_700_000_000_000 + i)
            mid = producer.send(body, partition_key=key, properties=props)
        else:
            mid = producer.send(json.dumps(event).encode(), partition_key=key, properties=props)
        produced.append({"key": key, "origin_message_id": str(mid), "properties": props, "event": event})
    producer.flush()

    # The failing service: every delivery fails until the client dead-letters the message.
    deadline = time.time() + args.timeout
    while time.time() < deadline:
        try:
            msg = consumer.receive(timeout_millis=1500)
        except pulsar.Timeout:
            if count_topic(client, dlq_topic) >= in_dlq_before + args.count:
                break
            continue
        consumer.negative_acknowledge(msg)
    consumer.close()

    in_dlq = count_topic(client, dlq_topic)
    client.close()
    if in_dlq - in_dlq_before < args.count:
        sys.exit(f"only {in_dlq - in_dlq_before} of {args.count} messages reached {dlq_topic} within {args.timeout}s")
    # The client's dead-letter path is at-least-once: under load a message may be written to the
    # DLQ twice. What the DLQ holds now, and held before this run, tells callers how many it wrote.
    json.dump({"topic": topic, "dlq_topic": dlq_topic, "messages": produced,
               "in_dlq_before": in_dlq_before, "in_dlq": in_dlq}, sys.stdout)
    print()


def count_topic(client, topic):
    """Messages in TOPIC, read with non-durable readers (they create no subscription).
    A reader cannot open a partitioned topic, so each partition is read on its own."""
    try:
        partitions = client.get_topic_partitions(topic)
    except Exception:
        return 0
    n = 0
    for partition in partitions:
        reader = client.create_reader(partition, pulsar.MessageId.earliest)
        try:
            while True:
                reader.read_next(timeout_millis=500)
                n += 1
        except pulsar.Timeout:
            pass
        reader.close()
    return n


if __name__ == "__main__":
    main()
