#!/usr/bin/env python3
"""The peer side of the benchmarks: read a whole topic with the official client and write one
JSON line per message (key, value and headers as text or base64, partition/offset or message
id, timestamp) to stdout, as `dlq export` does.

  peer_read.py --kafka HOST:PORT --topic T [-X KEY=VALUE]...
                                              confluent-kafka (librdkafka), batch consume
  peer_read.py --pulsar URL --topic T         pulsar-client reader from the earliest message
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

def raw(b):
    if b is None:
        return None
    try:
        return {"text": b.decode("utf-8")}
    except UnicodeDecodeError:
        return {"bytes": base64.b64encode(b).decode()}


def kafka(bootstrap, topic, out, extra):
    from confluent_kafka import Consumer, TopicPartition
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": "bench-peer", "enable.auto.commit": False,
                  "enable.partition.eof": True, "auto.offset.reset": "earliest", **extra})
    parts = sorted(c.list_topics(topic, timeout=30).topics[topic].partitions)
    c.assign([TopicPartition(topic, p, 0) for p in parts])
    open_parts = set(parts)
    n = 0
    while open_parts:
        # A short timeout: consume() waits for a full batch or the timeout, and the last batch is
        # never full.
        for m in c.consume(num_messages=1000, timeout=0.1):
            if m.error():
                if m.error().code() == -191:  # _PARTITION_EOF
                    open_parts.discard(m.partition())
                    continue
                sys.exit(str(m.error()))
            out.write(json.dumps({
                "topic": topic, "partition": m.partition(), "offset": m.offset(),
                "timestamp": m.timestamp()[1], "key": raw(m.key()),
                "headers": [{"name": k, "value": raw(v)} for k, v in (m.headers() or [])],
                "payload": raw(m.value())}))
            out.write("\n")
            n += 1
    c.close()
    return n


def pulsar(url, topic, out):
    import pulsar as pc
    client = pc.Client(url, logger=stderr_logger())
    reader = client.create_reader(topic, pc.MessageId.earliest, receiver_queue_size=5000)
    n = 0
    while reader.has_message_available():
        m = reader.read_next(timeout_millis=10000)
        out.write(json.dumps({
            "topic": topic, "message_id": str(m.message_id()), "timestamp": m.publish_timestamp(),
            "key": raw(m.partition_key().encode()) if m.partition_key() else None,
            "headers": [{"name": k, "value": raw(v.encode())} for k, v in m.properties().items()],
            "payload": raw(m.data())}))
        out.write("\n")
        n += 1
    reader.close()
    client.close()
    return n


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--kafka")
    ap.add_argument("--pulsar")
    ap.add_argument("--topic", required=True)
    ap.add_argument("-X", action="append", default=[], metavar="KEY=VALUE",
                    help="a librdkafka setting, as dlq's -X")
    args = ap.parse_args()
    extra = dict(x.split("=", 1) for x in args.X)
    out = sys.stdout
    n = kafka(args.kafka, args.topic, out, extra) if args.kafka else pulsar(args.pulsar, args.topic, out)
    out.flush()
    print(n, file=sys.stderr)


if __name__ == "__main__":
    main()
