#!/usr/bin/env python3
"""Writes the seed corpus (fuzz/corpus/<target>/): dead letters as the seeded producers write
them, in the targets' input layout (see fuzz_targets/common.rs), Avro in every encoding dlq
reads, and text with the secrets and personal data the redactor masks. Run with the project's
venv (scripts/lib.sh installs fastavro): the corpus is committed, so this is only needed when
the seeds change."""
import io
import json
import os
import struct

import fastavro
from fastavro.schema import fingerprint, to_parsing_canonical_form

HERE = os.path.dirname(os.path.abspath(__file__))
SCHEMA = fastavro.parse_schema(json.load(open(os.path.join(HERE, "..", "scripts", "seed", "order.avsc"))))
EVENT = {"order_id": 5000, "amount": {"value": 1000, "currency": "EUR"},
         "customer": {"name": "Customer 0", "email": "customer0@example.com"},
         "payment": {"card_number": "4111111111111111", "expiry": "12/29"}, "placed_at": 1700000000000}


def record(headers, payload):
    out = bytes([len(headers)])
    for name, value in headers:
        name = name.encode()
        out += bytes([len(name)]) + name
        out += b"\xff" if value is None else bytes([len(value)]) + value
    return out + payload


def datum():
    buf = io.BytesIO()
    fastavro.schemaless_writer(buf, SCHEMA, EVENT)
    return buf.getvalue()


def write(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


payload = json.dumps({k: v for k, v in EVENT.items() if k != "placed_at"}).encode()
cls = b"org.springframework.kafka.listener.ListenerExecutionFailedException"
write("conventions", "spring", record([
    ("kafka_dlt-original-topic", b"orders"), ("kafka_dlt-original-partition", struct.pack(">i", 1)),
    ("kafka_dlt-original-offset", struct.pack(">q", 42)), ("kafka_dlt-original-timestamp", struct.pack(">q", 1700000000000)),
    ("kafka_dlt-exception-fqcn", cls), ("kafka_dlt-exception-message", b"Unknown currency for a@b.io"),
    ("retry_topic-attempts", struct.pack(">i", 3)), ("kafka_dlt-original-consumer-group", b"order-service"),
], payload))
write("conventions", "spring-short-partition", record([("kafka_dlt-original-partition", b"\x00\x01\x02")], payload))
write("conventions", "connect", record([
    ("__connect.errors.topic", b"orders"), ("__connect.errors.partition", b"0"), ("__connect.errors.offset", b"17"),
    ("__connect.errors.exception.class.name", b"org.apache.kafka.connect.errors.DataException"),
    ("__connect.errors.exception.message", b"Converting byte[] to Kafka Connect data failed"),
    ("__connect.errors.exception.stacktrace", b"DataException\n\tat x.y(Z.java:1)"),
], payload))
write("conventions", "pulsar", record([
    ("REAL_TOPIC", b"persistent://public/default/orders"), ("ORIGIN_MESSAGE_ID", b"(51,0,-1,-1)"), ("RECONSUMETIMES", b"3"),
], payload))
envelope = {"original_event": {"id": 1}, "error": "timeout", "stack_trace": "x", "consumer_group": "billing",
            "partition": 2, "offset": 9, "failed_at": "2026-11-22T10:00:00Z", "retry_count": 2}
write("conventions", "envelope", record([], json.dumps(envelope).encode()))
write("conventions", "envelope-truncated", record([], b'{"original_event": {"id": 1}, "error": "trunc'))
write("conventions", "replayed", record([("dlq-replay-of", b"orders.DLT@0:1"), ("dlq-replay-count", b"2"), ("x-source-topic", b"t"), ("x-retries", None)], b"\xff\x00"))

raw = datum()
write("decode", "avro-datum", raw)
write("decode", "avro-single-object", b"\xc3\x01" + bytes.fromhex(fingerprint(to_parsing_canonical_form(SCHEMA), "CRC-64-AVRO")) + raw)
buf = io.BytesIO()
fastavro.writer(buf, SCHEMA, [EVENT, EVENT])
write("decode", "avro-container", buf.getvalue())
buf = io.BytesIO()
fastavro.writer(buf, SCHEMA, [EVENT], codec="deflate")
write("decode", "avro-container-deflate", buf.getvalue())
write("decode", "registry-avro", b"\x00\x00\x00\x00\x01" + raw)
write("decode", "registry-json", b"\x00\x00\x00\x00\x02" + payload)
write("decode", "registry-missing", b"\x00\x00\x00\x00\x03" + raw)
write("decode", "json", payload)
write("decode", "avro-truncated", raw[:7])

write("redact", "json", payload)
write("redact", "text", b"card 4111 1111 1111 1111, Bearer abcdefghijklmnop123, AKIAIOSFODNN7EXAMPLE, bob@corp.example, CUST-123456")
write("redact", "jwt", b"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U")
write("redact", "nested", json.dumps({"a": [{"orderRef": 1, "n": 4111111111111111, "s": "x@y.zz"}], "password": None}).encode())
# Detection by shape (issue #31): connection strings, free-text personal data, random tokens, and
# the triage data that must stay next to them.
write("redact", "connection-string", b"DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;EndpointSuffix=core.windows.net")
write("redact", "pii-text", b"SSN 536-22-8410, NI JG 10 37 59 A, call +44 20 7946 0958, key-3ax6xnjp29jd6fds4gc373sgvjxteol0")
write("redact", "tokens", b"token pat_Zx8Q2mV7kL4nR9tB3wY6cJ1hF5dG0sA commit 9fceb02d0ae598e95dc970b74767f19372d61af8 traceparent 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01 id 3f1c2a4e-9b7d-4c1e-8f3a-2b5c6d7e8f90")
write("redact", "assignments", b"url=jdbc:postgresql://db/app?user=app&password=secret;SharedAccessKey=q7Xv2LmK9pR4tW8zN3bY6cF1hJ5dG0sA2eI4oU6yT8w=\nmax_tokens: 100\nsessionKey: \"Zx8Q2mV7kL4nR9tB3wY6cJ1h\"")
