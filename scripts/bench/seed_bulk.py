#!/usr/bin/env python3
"""Seed N realistic dead letters fast, for benchmarks and tests: JSON order events as payloads
(key `order-N`), on Kafka with the official librdkafka client, round-robin over --partitions;
on Pulsar, with the properties the official client's DLQ sets (REAL_TOPIC, ORIGIN_MESSAGE_ID),
produced with batching as a busy service would (or one message an entry, --no-batching).
Prints {"topic", "count", "seconds"}.

By default every Kafka entry is a Spring Kafka dead letter (kafka_dlt-* headers) of one failure
and every payload is ~300 bytes (more with --pad): what the tests rely on. Opt-in, for the
benchmarks, what real DLQs hold:
  --mix          Kafka: every fourth entry a Kafka Connect dead letter (__connect.errors.*
                 headers, offsets as UTF-8 text), the rest Spring ones; four failure kinds
                 (exception classes and messages) spread over both
  --sizes LO-HI  payloads of LO to HI bytes, deterministic per N (a notes field whose length
                 follows a fixed permutation of the range): e.g. 200-2000, ~1,100 on average
  --print-payloads
                 no broker: print the COUNT payloads (as --sizes shapes them) one a line on
                 stdout, for the peers that produce from a file (kcat -P)"""
import argparse
import json
import struct
import sys
import time


PAD = 0
SIZES = None  # (lo, hi) of --sizes

# The failure kinds of --mix: (exception class, message with {n}, Connect stage, Connect class).
KINDS = [
    ("java.lang.IllegalArgumentException", "Unknown currency 'XBT' for order {n}",
     "TASK_PUT", "io.confluent.connect.jdbc.JdbcSinkTask"),
    ("org.apache.kafka.connect.errors.DataException",
     "Converting byte[] to Kafka Connect data failed due to serialization error of topic orders",
     "VALUE_CONVERTER", "org.apache.kafka.connect.json.JsonConverter"),
    ("java.sql.SQLTransientConnectionException",
     "HikariPool-1 - Connection is not available, request timed out after 30000ms (order {n})",
     "TASK_PUT", "io.confluent.connect.jdbc.JdbcSinkTask"),
    ("com.fasterxml.jackson.databind.exc.MismatchedInputException",
     "Cannot deserialize value of type `java.math.BigDecimal` from Object value (token `JsonToken.START_OBJECT`)",
     "TRANSFORMATION", "org.apache.kafka.connect.transforms.Cast$Value"),
]
NOTES = "Customer called twice about this order; see ticket. " * 40



def stderr_logger():
    """The Pulsar client's log, on stderr: its ConsoleLogger writes to stdout, where this
    script's JSON goes (an error logged on a loaded machine once broke a test's parse). A Python
    logger would do, but the client's threads then call into Python while it shuts down."""
    import pulsar as _p
    return _p.FileLogger(_p.LoggerLevel.Error, "/dev/stderr")

def size_of(n):
    """The payload size --sizes gives entry n: a fixed permutation of the range (7919 is prime),
    so neighbours differ and every size in it comes up once a cycle."""
    lo, hi = SIZES
    return lo + (n * 7919) % (hi - lo + 1)


def event(n):
    notes = {"notes": "x" * PAD} if PAD else {}
    body = {**notes,
        "order_id": n, "amount": {"value": 10 + n % 1000, "currency": "EUR"},
        "customer": {"name": f"Customer {n}", "email": f"customer{n}@example.com"},
        "payment": {"card_number": "4111111111111111", "expiry": "12/29"},
        "lines": [{"sku": f"SKU-{n % 97}", "qty": 1 + n % 3}],
    }
    if SIZES is None:
        return json.dumps(body).encode()
    s = json.dumps({"notes": "", **body})
    want = size_of(n) - len(s)
    if want > 0:
        notes = (NOTES * (1 + want // len(NOTES)))[:want]
        s = s.replace('"notes": ""', f'"notes": "{notes}"', 1)
    return s.encode()


def spring_headers(n, part, partitions, mix):
    fqcn = "org.springframework.kafka.listener.ListenerExecutionFailedException"
    if not mix:
        cause, message = None, f"Listener failed: unknown currency for order {n}"
    else:
        kind = (n // 3) % len(KINDS)
        cause, template, _, _ = KINDS[kind]
        message = "Listener failed: " + template.format(n=n)
        if kind == len(KINDS) - 1:
            # ErrorHandlingDeserializer's failure: the listener never ran.
            fqcn = "org.springframework.kafka.support.serializer.DeserializationException"
            message = "failed to deserialize; " + template.format(n=n)
    headers = [
        ("kafka_dlt-original-topic", b"orders"),
        ("kafka_dlt-original-partition", struct.pack(">i", part)),
        ("kafka_dlt-original-offset", struct.pack(">q", n // partitions)),
        ("kafka_dlt-original-timestamp", struct.pack(">q", 1_700_000_000_000 + n)),
        ("kafka_dlt-original-consumer-group", b"order-service"),
        ("kafka_dlt-exception-fqcn", fqcn.encode()),
    ]
    if cause:
        headers.append(("kafka_dlt-exception-cause-fqcn", cause.encode()))
    headers += [
        ("kafka_dlt-exception-message", message.encode()),
        ("retry_topic-attempts", struct.pack(">i", 3)),
    ]
    return headers


def connect_headers(n, part, partitions):
    """What Kafka Connect's DeadLetterQueueReporter writes with errors.deadletterqueue.context.
    headers.enable=true: every value UTF-8 text."""
    cls, template, stage, where = KINDS[(n // 3) % len(KINDS)]
    message = template.format(n=n)
    trace = (f"{cls}: {message}\n\tat {where}.put({where.rsplit('.', 1)[-1]}.java:88)\n"
             "\tat org.apache.kafka.connect.runtime.WorkerSinkTask.deliverMessages(WorkerSinkTask.java:601)\n")
    return [(k, v.encode()) for k, v in [
        ("__connect.errors.topic", "orders"),
        ("__connect.errors.partition", str(part)),
        ("__connect.errors.offset", str(n // partitions)),
        ("__connect.errors.connector.name", "orders-jdbc-sink"),
        ("__connect.errors.task.id", str(part % 2)),
        ("__connect.errors.stage", stage),
        ("__connect.errors.class.name", where),
        ("__connect.errors.exception.class.name", cls),
        ("__connect.errors.exception.message", message),
        ("__connect.errors.exception.stacktrace", trace),
    ]]


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
    for n in range(args.count):
        part = n % args.partitions
        # Every fourth of each partition (not every entry of one partition, as n % 4 would).
        if args.mix and (n + n // args.partitions) % 4 == 3:
            headers = connect_headers(n, part, args.partitions)
        else:
            headers = spring_headers(n, part, args.partitions, args.mix)
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


def set_sizes(spec):
    """--sizes LO-HI (also used by peer_produce.py, to send the same payloads)."""
    global SIZES
    if spec:
        lo, hi = (int(x) for x in spec.split("-", 1))
        if not 0 < lo <= hi:
            sys.exit(f"--sizes {spec}: want LO-HI with 0 < LO <= HI")
        SIZES = (lo, hi)


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
    ap.add_argument("--mix", action="store_true",
                    help="Kafka: every fourth entry a Kafka Connect dead letter, four failure kinds")
    ap.add_argument("--sizes", metavar="LO-HI",
                    help="payloads of LO to HI bytes, varying per entry (e.g. 200-2000)")
    ap.add_argument("--print-payloads", action="store_true",
                    help="print the payloads one a line on stdout instead of producing them")
    args = ap.parse_args()
    global PAD, SIZES
    PAD = args.pad
    set_sizes(args.sizes)
    if args.print_payloads:
        out = sys.stdout.buffer
        for n in range(args.count):
            out.write(event(n))
            out.write(b"\n")
        out.flush()
        return
    if not args.bootstrap and not args.url:
        ap.error("--bootstrap or --url is needed")
    t = time.time()
    kafka(args) if args.bootstrap else pulsar(args)
    json.dump({"topic": args.topic, "count": args.count, "seconds": round(time.time() - t, 2)}, sys.stdout)
    print()


if __name__ == "__main__":
    main()
