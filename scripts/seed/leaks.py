#!/usr/bin/env python3
"""Dead letters full of secrets, for the redaction leak test (tests/cli/redaction.rs).

Every secret kind below is written into every place a value can appear: the key, a header value
(Kafka) or property (Pulsar), the error message, the stack trace, a JSON payload field, a text
payload, a JSON document serialised into a string field ("JSON inside a string"), and the fields
of an Avro record (an object container file, which dlq decodes without being asked). One dead
letter per place, Spring-style on Kafka (kafka_dlt-* headers), the Java client's properties on
Pulsar. Prints {"topic", "count", "needles"}: the substrings that must never be shown unless
--reveal is given.

  leaks.py --kafka HOST:PORT --topic T
  leaks.py --pulsar URL --topic T
"""
import argparse
import json
import struct
import sys

# (kind, the secret as a producer writes it, the substring that must never be shown)
SECRETS = [
    ("pem", "-----BEGIN RSA PRIVATE KEY-----\nMIIEowLEAKPEMa1b2c3\nd4e5LEAKPEMf6\n-----END RSA PRIVATE KEY-----", "LEAKPEM"),
    ("basic", "Authorization: Basic bGVha2VkOmxlYWtiYXNpYzAwMg==", "bGVha2VkOmxlYWtiYXNpYzAwMg"),
    ("bearer", "Bearer leakbearer003abcdef", "leakbearer003"),
    ("url", "jdbc:postgresql://app:leakurl004@db.internal:5432/orders", "leakurl004"),
    ("iban", "refund to DE89 3704 0044 0532 0130 00", "0532 0130"),
    ("assignment", "login failed: password=leakpass005", "leakpass005"),
    ("secret-colon", "secret: leaksecret006", "leaksecret006"),
    ("card", "card 4111 1111 1111 1111", "4111 1111 1111 1111"),
    ("email", "contact leak.person@example.com", "leak.person@example.com"),
    ("jwt", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJsZWFrIn0.leakjwt008sig", "leakjwt008"),
    ("aws", "AKIAIOSFODNN7EXAMPLE", "AKIAIOSFODNN7EXAMPLE"),
    ("api-key", "api_key=leakapikey010", "leakapikey010"),
    # Caught by shape, not by a list (issue #31): a key name no list holds, a number in free text,
    # two providers' keys whose prefixes no list holds, a phone number in a note.
    ("azure", "DefaultEndpointsProtocol=https;AccountName=leakacct;AccountKey=Lk9vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;EndpointSuffix=core.windows.net", "Lk9vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50u"),
    ("ssn", "customer SSN 536-22-8410 on file", "536-22-8410"),
    ("provider-lower", "key-3ax6xnjp29jd6fds4gc373sgvjxleak0", "3ax6xnjp29jd6fds4gc373sgvjxleak0"),
    ("provider-mixed", "pat_Zx8Q2mV7kL4nR9tB3wY6cJ1hF5dG0sLk", "Zx8Q2mV7kL4nR9tB3wY6cJ1hF5dG0sLk"),
    ("phone", "note: call +44 20 7946 0958 after 5pm", "7946 0958"),
]
TEXT = " | ".join(s for _, s, _ in SECRETS)
NEEDLES = [n for _, _, n in SECRETS] + ["leakwire011", "leakfield012", "leakavro013"]
# A JSON document a producer serialised into a string (Connect's JSON-in-string, envelopes).
WIRE = json.dumps({"user": "ann", "password": "leakwire011", "note": TEXT})
PLACES = ["key", "header", "error", "stacktrace", "json", "text", "nested", "avro"]



def stderr_logger():
    """The Pulsar client's log, on stderr: its ConsoleLogger writes to stdout, where this
    script's JSON goes (an error logged on a loaded machine once broke a test's parse). A Python
    logger would do, but the client's threads then call into Python while it shuts down."""
    import pulsar as _p
    return _p.FileLogger(_p.LoggerLevel.Error, "/dev/stderr")

def avro_container():
    """An Avro object container file (it carries its schema, so dlq decodes it unasked)."""
    import io
    import fastavro
    schema = fastavro.parse_schema({
        "type": "record", "name": "Order", "fields": [
            {"name": "order_id", "type": "long"},
            {"name": "note", "type": "string"},
            {"name": "password", "type": "string"},
            {"name": "wire", "type": "string"},
        ]})
    buf = io.BytesIO()
    fastavro.writer(buf, schema, [{"order_id": 1, "note": TEXT, "password": "leakavro013", "wire": WIRE}])
    return buf.getvalue()


def dead_letter(place):
    key = TEXT if place == "key" else "order-1"
    headers = {"trace": TEXT if place == "header" else "t-1"}
    error = TEXT if place == "error" else "order could not be priced"
    stack = ("java.lang.IllegalStateException: " + (TEXT if place == "stacktrace" else "x")
             + "\n\tat com.example.Pricing.price(Pricing.java:42)")
    if place == "json":
        payload = json.dumps({"order_id": 1, "note": TEXT, "password": "leakfield012"})
    elif place == "text":
        payload = "plain text payload: " + TEXT
    elif place == "nested":
        payload = json.dumps({"order_id": 1, "wire": WIRE})
    elif place == "avro":
        return key, headers, error, stack, avro_container()
    else:
        payload = json.dumps({"order_id": 1})
    return key, headers, error, stack, payload.encode()



def kafka(bootstrap, topic):
    from confluent_kafka import Producer
    p = Producer({"bootstrap.servers": bootstrap})
    for i, place in enumerate(PLACES):
        key, headers, error, stack, payload = dead_letter(place)
        hs = [(k, v.encode()) for k, v in headers.items()] + [
            ("kafka_dlt-original-topic", b"orders"),
            ("kafka_dlt-original-partition", struct.pack(">i", 0)),
            ("kafka_dlt-original-offset", struct.pack(">q", i)),
            ("kafka_dlt-exception-fqcn", b"java.lang.IllegalStateException"),
            ("kafka_dlt-exception-message", error.encode()),
            ("kafka_dlt-exception-stacktrace", stack.encode()),
        ]
        p.produce(topic, key=key.encode(), value=payload, headers=hs, partition=0)
    if p.flush(30):
        sys.exit("not every dead letter was confirmed")


def pulsar(url, topic):
    import pulsar as pl
    c = pl.Client(url, logger=stderr_logger())
    p = c.create_producer(topic, batching_enabled=False)
    for i, place in enumerate(PLACES):
        key, headers, error, stack, payload = dead_letter(place)
        props = dict(headers)
        props.update({"REAL_TOPIC": "persistent://public/default/orders", "ORIGIN_MESSAGE_ID": f"1:{i}:-1",
                      "secret": "secret=leaksecret006" if place == "header" else "s"})
        # The Java client writes no error properties; services often add their own.
        props["exception"] = error
        p.send(payload, partition_key=key, properties=props)
    p.close()
    c.close()


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--kafka")
    g.add_argument("--pulsar")
    ap.add_argument("--topic", required=True)
    a = ap.parse_args()
    kafka(a.kafka, a.topic) if a.kafka else pulsar(a.pulsar, a.topic)
    json.dump({"topic": a.topic, "count": len(PLACES), "needles": NEEDLES}, sys.stdout)
