#!/usr/bin/env python3
"""A service that still fails: every message it consumes for SECONDS goes to its DLQ again, the
way the frameworks do it, with the official clients. For tests of `replay --canary`.

  failing_service.py --kafka HOST:PORT --origin TOPIC --dlq TOPIC --for SECONDS
  failing_service.py --pulsar URL --origin TOPIC --subscription NAME --for SECONDS

Kafka: reads ORIGIN from each partition's end (explicit offsets, so nothing written after
"ready" is missed) and writes each record to DLQ as Spring Kafka's DeadLetterPublishingRecoverer
does: the record's own headers kept (a replayed copy's dlq-replay-of among them), kafka_dlt-*
added, the same partition. Pulsar: a consumer of SUBSCRIPTION (Shared) with the client's own
DeadLetterPolicy nacks every message until the client moves it to ORIGIN-SUBSCRIPTION-DLQ, its
properties kept. Prints "ready" on stdout once consuming, then, at the end, one JSON object:
{"dead_lettered": N}.
"""
import argparse
import json
import struct
import sys
import time


def kafka(a):
    from confluent_kafka import Consumer, Producer, TopicPartition
    consumer = Consumer({"bootstrap.servers": a.kafka, "group.id": "failing-service",
                         "enable.auto.commit": False})
    md = consumer.list_topics(a.origin, timeout=30)
    parts = []
    for p in md.topics[a.origin].partitions:
        _, high = consumer.get_watermark_offsets(TopicPartition(a.origin, p), timeout=30)
        parts.append(TopicPartition(a.origin, p, high))
    consumer.assign(parts)
    producer = Producer({"bootstrap.servers": a.kafka})
    print("ready", flush=True)
    n = 0
    deadline = time.time() + a.seconds
    while time.time() < deadline:
        m = consumer.poll(0.2)
        if m is None or m.error():
            continue
        cls = "org.springframework.kafka.listener.ListenerExecutionFailedException"
        msg = "Listener method threw exception: Unknown currency"
        headers = list(m.headers() or []) + [
            ("kafka_dlt-original-topic", a.origin.encode()),
            ("kafka_dlt-original-partition", struct.pack(">i", m.partition())),
            ("kafka_dlt-original-offset", struct.pack(">q", m.offset())),
            ("kafka_dlt-exception-fqcn", cls.encode()),
            ("kafka_dlt-exception-message", msg.encode()),
        ]
        producer.produce(a.dlq, key=m.key(), value=m.value(), headers=headers, partition=m.partition())
        producer.flush(30)
        n += 1
    consumer.close()
    return n


def pulsar_service(a):
    import pulsar
    # The client logs to stdout unless told otherwise: stdout is for "ready" and the JSON.
    log = pulsar.FileLogger(pulsar.LoggerLevel.Error, "/dev/stderr")
    client = pulsar.Client(a.pulsar, operation_timeout_seconds=30, logger=log)
    consumer = client.subscribe(
        f"persistent://public/default/{a.origin}",
        a.subscription,
        consumer_type=pulsar.ConsumerType.Shared,
        negative_ack_redelivery_delay_ms=100,
        dead_letter_policy=pulsar.ConsumerDeadLetterPolicy(max_redeliver_count=1),
    )
    print("ready", flush=True)
    n = 0
    deadline = time.time() + a.seconds
    while time.time() < deadline:
        try:
            m = consumer.receive(timeout_millis=200)
        except pulsar.Timeout:
            continue
        consumer.negative_acknowledge(m)
        n += 1
    consumer.close()
    client.close()
    return n


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--kafka")
    g.add_argument("--pulsar")
    ap.add_argument("--origin", required=True)
    ap.add_argument("--dlq")
    ap.add_argument("--subscription")
    ap.add_argument("--for", dest="seconds", type=float, required=True)
    a = ap.parse_args()
    if a.kafka and not a.dlq:
        sys.exit("--kafka needs --dlq")
    if a.pulsar and not a.subscription:
        sys.exit("--pulsar needs --subscription")
    n = kafka(a) if a.kafka else pulsar_service(a)
    json.dump({"dead_lettered": n}, sys.stdout)
    print()


if __name__ == "__main__":
    main()
