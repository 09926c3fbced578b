#!/usr/bin/env python3
"""What tests need to see or do on Apache Kafka with a client that is not dlq's (the official
librdkafka client), printing JSON:

  kafka_admin.py --bootstrap B watermarks TOPIC
      {"<partition>": [log_start_offset, high_watermark], ...}
  kafka_admin.py --bootstrap B create TOPIC --partitions N [--config key=value ...]
      creates the topic (e.g. --config cleanup.policy=compact); {"created": TOPIC}
  kafka_admin.py --bootstrap B committed GROUP TOPIC
      {"<partition>": offset or null}
  kafka_admin.py --bootstrap B aborted TOPIC --count N [--key-prefix P]
      N records produced inside a transaction that is then aborted, followed by one committed
      record with key P-committed; {"aborted": N, "committed": 1}
  kafka_admin.py --bootstrap B delete-before TOPIC PARTITION OFFSET
      DeleteRecords: the partition's records before OFFSET are gone, as retention would remove
      them; {"low": new log start offset}
"""
import argparse
import json
import sys
import uuid

from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic


def consumer(bootstrap):
    return Consumer({"bootstrap.servers": bootstrap, "group.id": "kafka-admin-peer-" + uuid.uuid4().hex,
                     "enable.auto.commit": False})


def partitions(c, topic):
    md = c.list_topics(topic, timeout=10)
    t = md.topics[topic]
    if t.error is not None:
        sys.exit(f"{topic}: {t.error}")
    return sorted(t.partitions)


def watermarks(bootstrap, topic):
    c = consumer(bootstrap)
    out = {}
    for p in partitions(c, topic):
        low, high = c.get_watermark_offsets(TopicPartition(topic, p), timeout=10, cached=False)
        out[str(p)] = [low, high]
    c.close()
    return out


def create(bootstrap, topic, n, configs):
    admin = AdminClient({"bootstrap.servers": bootstrap})
    cfg = dict(kv.split("=", 1) for kv in configs)
    fs = admin.create_topics([NewTopic(topic, num_partitions=n, replication_factor=1, config=cfg)])
    for f in fs.values():
        f.result(timeout=30)
    return {"created": topic}


def committed(bootstrap, group, topic):
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": group, "enable.auto.commit": False})
    tps = [TopicPartition(topic, p) for p in partitions(c, topic)]
    out = {str(tp.partition): (tp.offset if tp.offset >= 0 else None) for tp in c.committed(tps, timeout=10)}
    c.close()
    return out


def aborted(bootstrap, topic, n, prefix):
    p = Producer({"bootstrap.servers": bootstrap, "transactional.id": "dlq-test-" + uuid.uuid4().hex})
    p.init_transactions(30)
    p.begin_transaction()
    for i in range(n):
        p.produce(topic, key=f"{prefix}-aborted-{i}".encode(), value=b'{"aborted": true}',
                  headers=[("kafka_dlt-exception-message", b"written in a transaction that was aborted")])
    p.flush(30)
    p.abort_transaction(30)
    p.begin_transaction()
    p.produce(topic, key=f"{prefix}-committed".encode(), value=b'{"aborted": false}',
              headers=[("kafka_dlt-exception-message", b"written in a transaction that was committed")])
    p.commit_transaction(30)
    return {"aborted": n, "committed": 1}


def delete_before(bootstrap, topic, partition, offset):
    admin = AdminClient({"bootstrap.servers": bootstrap})
    fs = admin.delete_records([TopicPartition(topic, partition, offset)])
    result = list(fs.values())[0].result(timeout=30)
    return {"low": result.low_watermark}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bootstrap", required=True)
    sub = ap.add_subparsers(dest="cmd", required=True)
    w = sub.add_parser("watermarks")
    w.add_argument("topic")
    c = sub.add_parser("create")
    c.add_argument("topic")
    c.add_argument("--partitions", type=int, default=1)
    c.add_argument("--config", action="append", default=[])
    g = sub.add_parser("committed")
    g.add_argument("group")
    g.add_argument("topic")
    a = sub.add_parser("aborted")
    a.add_argument("topic")
    a.add_argument("--count", type=int, default=3)
    a.add_argument("--key-prefix", default="tx")
    d = sub.add_parser("delete-before")
    d.add_argument("topic")
    d.add_argument("partition", type=int)
    d.add_argument("offset", type=int)
    args = ap.parse_args()
    if args.cmd == "watermarks":
        out = watermarks(args.bootstrap, args.topic)
    elif args.cmd == "create":
        out = create(args.bootstrap, args.topic, args.partitions, args.config)
    elif args.cmd == "committed":
        out = committed(args.bootstrap, args.group, args.topic)
    elif args.cmd == "delete-before":
        out = delete_before(args.bootstrap, args.topic, args.partition, args.offset)
    else:
        out = aborted(args.bootstrap, args.topic, args.count, args.key_prefix)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
