#!/usr/bin/env python3
"""Create Kafka dead letters the way real services do, with the official librdkafka client.

Order events are produced to ORIGIN. Then, like a failing sink or listener, each event is
written to the DLQ topic with the context its framework adds:
  connect   Kafka Connect: __connect.errors.* headers, UTF-8 text, original headers kept
  spring    Spring Kafka DeadLetterPublishingRecoverer: kafka_dlt-* headers, partition as a
            4-byte and offset/timestamp as 8-byte big-endian integers, same partition as the
            original; retry_topic-attempts as with @RetryableTopic
  envelope  a JSON envelope {original_event, error, stack_trace, consumer_group, partition,
            offset, failed_at, retry_count} as the payload
  looping   Spring-style dead letters that dlq already replayed 3 times (dlq-replay-count: 3)
  malformed what a broken or hostile producer writes (one of each, --count is ignored): a binary
            key and payload, a 3-byte Spring partition and a non-UTF-8 origin topic; a tombstone
            with a null header value; an envelope that is not JSON; an error message carrying a
            terminal escape sequence
--encoding chooses how the order events are written (default json); the Avro ones use
scripts/seed/order.avsc (or --avro-schema FILE) through fastavro, or confluent-kafka's own
AvroSerializer:
  avro                a raw Avro datum (the reader needs the schema file)
  avro-single-object  Avro single-object encoding (C3 01 + the schema's Rabin fingerprint)
  avro-container      an Avro object container file holding the one record
  avro-registry       the schema-registry wire format, registered with --registry URL
  avro-corrupt        a raw Avro datum cut short
  json-registry       JSON in the schema-registry wire format, written by confluent-kafka's
                      JSONSerializer with scripts/seed/order.schema.json (it validates each event)
The origin partition/offset in each dead letter are the real ones the broker assigned.
Prints one JSON document describing every dead letter, for tests to check against.
"""
import argparse
import io
import json
import os
import struct
import sys
import time
from datetime import datetime, timezone

from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient, NewTopic

STACK = (
    "{cls}: {msg}\n"
    "\tat com.example.orders.OrderListener.onMessage(OrderListener.java:42)\n"
    "\tat org.springframework.kafka.listener.KafkaMessageListenerContainer.doInvokeOnMessage(KafkaMessageListenerContainer.java:2800)\n"
)


SCHEMA_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "order.avsc")
JSON_SCHEMA_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "order.schema.json")


def registry_client(args):
    from confluent_kafka.schema_registry import SchemaRegistryClient

    conf = {"url": args.registry}
    if args.registry_user:
        with open(args.registry_password_file) as f:
            conf["basic.auth.user.info"] = f"{args.registry_user}:{f.read().strip()}"
    return SchemaRegistryClient(conf)


def encoder(args):
    """A function turning an order event into the bytes --encoding asks for."""
    if args.encoding == "json":
        return lambda event, n: json.dumps(event).encode()
    if args.encoding == "json-registry":
        from confluent_kafka.schema_registry.json_schema import JSONSerializer
        from confluent_kafka.serialization import MessageField, SerializationContext

        with open(JSON_SCHEMA_FILE) as f:
            serializer = JSONSerializer(f.read(), registry_client(args))
        ctx = SerializationContext(args.origin, MessageField.VALUE)
        return lambda event, n: serializer(event, ctx)
    import fastavro
    from fastavro.schema import fingerprint, to_parsing_canonical_form

    with open(args.avro_schema or SCHEMA_FILE) as f:
        schema_text = f.read()
    schema = fastavro.parse_schema(json.loads(schema_text))

    def avro_event(event, n):
        e = dict(event)
        e["amount"] = {"value": event["amount"]["value"] * 100, "currency": event["amount"]["currency"]}
        e["placed_at"] = 1_700_000_000_000 + n
        return e

    def datum(event, n):
        buf = io.BytesIO()
        fastavro.schemaless_writer(buf, schema, avro_event(event, n))
        return buf.getvalue()

    if args.encoding == "avro":
        return datum
    if args.encoding == "avro-corrupt":
        return lambda event, n: datum(event, n)[:7]
    if args.encoding == "avro-single-object":
        header = b"\xc3\x01" + bytes.fromhex(fingerprint(to_parsing_canonical_form(schema), "CRC-64-AVRO"))
        return lambda event, n: header + datum(event, n)
    if args.encoding == "avro-container":
        def container(event, n):
            buf = io.BytesIO()
            fastavro.writer(buf, schema, [avro_event(event, n)])
            return buf.getvalue()
        return container
    if args.encoding == "avro-registry":
        from confluent_kafka.schema_registry.avro import AvroSerializer
        from confluent_kafka.serialization import MessageField, SerializationContext

        serializer = AvroSerializer(registry_client(args), schema_text)
        ctx = SerializationContext(args.origin, MessageField.VALUE)
        return lambda event, n: serializer(avro_event(event, n), ctx)
    raise SystemExit(f"unknown encoding {args.encoding}")


def create_topics(bootstrap, topics, partitions):
    admin = AdminClient({"bootstrap.servers": bootstrap})
    futures = admin.create_topics([NewTopic(t, num_partitions=partitions, replication_factor=1) for t in topics])
    for t, f in futures.items():
        try:
            f.result(30)
        except Exception as e:  # an existing topic is fine
            if "TOPIC_ALREADY_EXISTS" not in str(e) and "already exists" not in str(e):
                raise


def produce_all(producer, records):
    """Produce (topic, key, value, headers, partition) tuples; return their (partition, offset)."""
    results = [None] * len(records)

    def report(i):
        def cb(err, msg):
            if err is not None:
                results[i] = err
            else:
                results[i] = (msg.partition(), msg.offset(), msg.timestamp()[1])
        return cb

    for i, (topic, key, value, headers, partition) in enumerate(records):
        kwargs = {"key": key, "value": value, "headers": headers, "on_delivery": report(i)}
        if partition is not None:
            kwargs["partition"] = partition
        producer.produce(topic, **kwargs)
        producer.poll(0)
    remaining = producer.flush(30)
    if remaining or any(r is None or not isinstance(r, tuple) for r in results):
        sys.exit(f"delivery failed: {[r for r in results if not isinstance(r, tuple)][:3]}")
    return results


def malformed(dlq):
    """Dead letters no well-behaved producer writes; dlq must show them without guessing."""
    binary_payload = bytes(range(256)) * 2 + b"\xff\xfe"
    binary_key = b"\x00\x9fkey\xff"
    return [
        ((dlq, binary_key, binary_payload, [
            ("kafka_dlt-original-topic", b"ord\xffers"),
            ("kafka_dlt-original-partition", b"\x00\x00\x03"),
            ("kafka_dlt-original-offset", struct.pack(">q", 77)),
            ("kafka_dlt-exception-fqcn", b"org.apache.kafka.common.errors.SerializationException"),
        ], 0), {"style": "malformed", "case": "binary", "payload_hex": binary_payload.hex(), "key_hex": binary_key.hex()}),
        ((dlq, b"tombstone-key", None, [
            ("__connect.errors.topic", b"orders"),
            ("__connect.errors.partition", b"1"),
            ("__connect.errors.offset", b"not-a-number"),
            ("__connect.errors.exception.message", None),
        ], 0), {"style": "malformed", "case": "tombstone"}),
        ((dlq, b"bad-envelope", b'{"original_event": {"id": 1}, "error": "trunc', [], 0),
         {"style": "malformed", "case": "bad-envelope"}),
        ((dlq, b"escape", b"{}", [
            ("kafka_dlt-original-topic", b"orders"),
            ("kafka_dlt-exception-message", b"boom \x1b[2J\x1b[31mred\r"),
        ], 0), {"style": "malformed", "case": "escape"}),
    ]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bootstrap", required=True)
    ap.add_argument("--origin", required=True, help="origin topic")
    ap.add_argument("--dlq", required=True, help="DLQ topic")
    ap.add_argument("--style", choices=["connect", "spring", "envelope", "looping", "malformed"], action="append", required=True)
    ap.add_argument("--count", type=int, default=3, help="dead letters per style")
    ap.add_argument("--partitions", type=int, default=2)
    ap.add_argument("--encoding", default="json",
                    choices=["json", "avro", "avro-single-object", "avro-container", "avro-registry", "avro-corrupt",
                             "json-registry"])
    ap.add_argument("--avro-schema", metavar="FILE", help="the Avro schema (.avsc) instead of scripts/seed/order.avsc")
    ap.add_argument("--registry", help="schema registry URL, for --encoding avro-registry and json-registry")
    ap.add_argument("--registry-user")
    ap.add_argument("--registry-password-file")
    args = ap.parse_args()

    create_topics(args.bootstrap, [args.origin, args.dlq], args.partitions)
    producer = Producer({"bootstrap.servers": args.bootstrap, "linger.ms": 5, "enable.idempotence": False})

    encode = encoder(args)
    events = []
    for style in args.style:
        if style == "malformed":
            continue
        for i in range(args.count):
            n = len(events)
            event = {
                "order_id": 5000 + n,
                "amount": {"value": 10 + n, "currency": "EUR"},
                "customer": {"name": f"Customer {n}", "email": f"customer{n}@example.com"},
                "payment": {"card_number": "4111111111111111", "expiry": "12/29"},
            }
            events.append((style, f"order-{5000 + n}".encode(), encode(event, n), n))
    origin_pos = produce_all(
        producer,
        [(args.origin, key, value, [("traceparent", f"00-{n:032x}-{n:016x}-01".encode())], None) for _, key, value, n in events],
    )

    dead = []
    records = []
    for (style, key, value, n), (op, oo, ots) in zip(events, origin_pos):
        trace = ("traceparent", f"00-{n:032x}-{n:016x}-01".encode())
        if style == "connect":
            cls = "org.apache.kafka.connect.errors.DataException"
            msg = f"Converting byte[] to Kafka Connect data failed due to serialization error of topic {args.origin}"
            headers = [
                trace,
                ("__connect.errors.topic", args.origin.encode()),
                ("__connect.errors.partition", str(op).encode()),
                ("__connect.errors.offset", str(oo).encode()),
                ("__connect.errors.connector.name", b"jdbc-sink-orders"),
                ("__connect.errors.task.id", b"0"),
                ("__connect.errors.stage", b"VALUE_CONVERTER"),
                ("__connect.errors.class.name", b"io.confluent.connect.avro.AvroConverter"),
                ("__connect.errors.exception.class.name", cls.encode()),
                ("__connect.errors.exception.message", msg.encode()),
                ("__connect.errors.exception.stacktrace", STACK.format(cls=cls, msg=msg).encode()),
            ]
            records.append((args.dlq, key, value, headers, None))
            dead.append({"style": style, "convention": "kafka-connect", "error_class": cls, "error_message": msg, "retry_count": None, "consumer_group": None})
        elif style in ("spring", "looping"):
            cls = "org.springframework.kafka.listener.ListenerExecutionFailedException"
            msg = f"Listener method threw exception: Unknown currency for customer{n}@example.com"
            headers = [
                trace,
                ("kafka_dlt-original-topic", args.origin.encode()),
                ("kafka_dlt-original-partition", struct.pack(">i", op)),
                ("kafka_dlt-original-offset", struct.pack(">q", oo)),
                ("kafka_dlt-original-timestamp", struct.pack(">q", ots)),
                ("kafka_dlt-original-timestamp-type", b"CreateTime"),
                ("kafka_dlt-original-consumer-group", b"order-service"),
                ("kafka_dlt-exception-fqcn", cls.encode()),
                ("kafka_dlt-exception-cause-fqcn", b"java.lang.IllegalArgumentException"),
                ("kafka_dlt-exception-message", msg.encode()),
                ("kafka_dlt-exception-stacktrace", STACK.format(cls=cls, msg=msg).encode()),
                ("retry_topic-attempts", struct.pack(">i", 3)),
            ]
            if style == "looping":
                headers += [("dlq-replay-of", f"{args.dlq}@{op}:{oo}".encode()), ("dlq-replay-count", b"3")]
            # Spring publishes to the same partition as the original record.
            records.append((args.dlq, key, value, headers, op))
            dead.append({"style": style, "convention": "spring-kafka", "error_class": cls, "error_message": msg, "retry_count": 3, "consumer_group": "order-service"})
        else:
            failed_at = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
            msg = "timeout calling billing-service after 3 attempts"
            envelope = {
                "original_event": json.loads(value) if args.encoding == "json" else value.hex(),
                "error": msg,
                "stack_trace": "java.net.SocketTimeoutException: Read timed out\n\tat billing.Client.call(Client.java:88)",
                "consumer_group": "billing",
                "partition": op,
                "offset": oo,
                "failed_at": failed_at,
                "retry_count": 2,
            }
            records.append((args.dlq, key, json.dumps(envelope).encode(), [trace], None))
            dead.append({"style": style, "convention": "json-envelope", "error_class": None, "error_message": msg, "retry_count": 2, "consumer_group": "billing", "failed_at": failed_at})
        dead[-1].update({"key": key.decode(), "origin_topic": args.origin if style != "envelope" else None, "origin_partition": op, "origin_offset": oo})

    if "malformed" in args.style:
        for rec, d in malformed(args.dlq):
            records.append(rec)
            dead.append(d)

    dlq_pos = produce_all(producer, records)
    for d, (p, o, _) in zip(dead, dlq_pos):
        d.update({"partition": p, "offset": o, "id": f"{p}:{o}"})
    json.dump({"origin": args.origin, "dlq": args.dlq, "entries": dead}, sys.stdout)
    print()


if __name__ == "__main__":
    main()
