#!/usr/bin/env python3
"""Read a whole topic with the official client and print one JSON line per message, so tests
can check what dlq sent with a peer it did not write. Keys, values and header values are
base64 (null when absent).

  read_topic.py --kafka HOST:PORT --topic T     every partition, from the start to the end
  read_topic.py --pulsar URL --topic T          a non-partitioned topic, from the earliest message
  --stop-at-header NAME                          stop after the first message carrying header NAME
                                                 (to poll a topic that is being written to)
  --subscription S                               Pulsar: the backlog of subscription S instead, as a
                                                 consumer that honours batch-index acknowledgements
                                                 sees it (nothing is acknowledged)
"""
import argparse
import base64
import json
import sys



def stderr_logger():
    """The Pulsar client's log, on stderr: its ConsoleLogger writes to stdout, where this
    script's JSON goes (an error logged on a loaded machine once broke a test's parse). A Python
    logger would do, but the client's threads then call into Python while it shuts down."""
    import pulsar as _p
    return _p.FileLogger(_p.LoggerLevel.Error, "/dev/stderr")

def b64(b):
    return None if b is None else base64.b64encode(b).decode()


def read_kafka(bootstrap, topic, stop_at):
    from confluent_kafka import Consumer, TopicPartition, KafkaError
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": "read-topic-peer", "enable.auto.commit": False,
                  "enable.partition.eof": True, "auto.offset.reset": "earliest"})
    md = c.list_topics(topic, timeout=10)
    parts = sorted(md.topics[topic].partitions)
    c.assign([TopicPartition(topic, p, 0) for p in parts])
    open_parts = set(parts)
    while open_parts:
        m = c.poll(10)
        if m is None:
            sys.exit(f"timed out reading {topic}")
        if m.error():
            if m.error().code() == KafkaError._PARTITION_EOF:
                open_parts.discard(m.partition())
                continue
            sys.exit(str(m.error()))
        headers = [[k, b64(v)] for k, v in (m.headers() or [])]
        print(json.dumps({"partition": m.partition(), "offset": m.offset(), "key": b64(m.key()),
                          "value": b64(m.value()), "headers": headers,
                          "timestamp_ms": m.timestamp()[1]}))
        if stop_at and any(k == stop_at for k, _ in headers):
            break
    c.close()


def read_pulsar(url, topic, idle_ms, stop_at, subscription):
    import pulsar
    client = pulsar.Client(url, logger=stderr_logger())
    if subscription:
        reader = client.subscribe(topic, subscription, consumer_type=pulsar.ConsumerType.Exclusive,
                                  batch_index_ack_enabled=True)
        read = reader.receive
    else:
        reader = client.create_reader(topic, pulsar.MessageId.earliest)
        read = reader.read_next
    try:
        while True:
            m = read(timeout_millis=idle_ms)
            key = m.partition_key() or None
            print(json.dumps({"message_id": str(m.message_id()), "key": b64(key.encode()) if key else None,
                              "value": b64(m.data()), "properties": m.properties(),
                              "publish_timestamp_ms": m.publish_timestamp()}))
            if stop_at and stop_at in m.properties():
                break
    except pulsar.Timeout:
        pass
    reader.close()
    client.close()


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--kafka")
    g.add_argument("--pulsar")
    ap.add_argument("--topic", required=True)
    ap.add_argument("--idle-ms", type=int, default=1500, help="Pulsar: the end is a quiet spell this long")
    ap.add_argument("--stop-at-header")
    ap.add_argument("--subscription")
    a = ap.parse_args()
    if a.kafka:
        read_kafka(a.kafka, a.topic, a.stop_at_header)
    else:
        read_pulsar(a.pulsar, a.topic, a.idle_ms, a.stop_at_header, a.subscription)
