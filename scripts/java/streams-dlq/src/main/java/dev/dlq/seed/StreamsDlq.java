package dev.dlq.seed;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TopologyConfig;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
import org.apache.kafka.streams.errors.LogAndContinueProcessingExceptionHandler;
import org.apache.kafka.streams.kstream.Consumed;

/**
 * Dead letters written by a Kafka Streams application's own dead-letter queue (KIP-1034, Kafka
 * Streams 4.2+), the way a Streams service writes them (no mocks), for dlq's tests and quickstart.
 *
 * <pre>
 * java -jar target/streams-dlq.jar --bootstrap HOST:PORT --origin TOPIC [--dlq TOPIC]
 *      [--deserialization N] [--processing N] [--good N] [--partitions P]
 *      [--dlq-partitions Q] [--application-id ID] [--timeout SECONDS]
 * </pre>
 *
 * Creates ORIGIN (P partitions, default 1) and DLQ (default ORIGIN.dlq, Q partitions, default 1)
 * if they do not exist, and produces to ORIGIN, interleaved, the i-th of each kind to partition
 * i % P, each with two headers of its own (trace_id, source):
 * <ul>
 *   <li>N records whose values are not JSON (default 2; keys order-bad-i, values "not json i"),
 *       which the application's JSON value deserializer rejects;</li>
 *   <li>N JSON order events its processor refuses (default 2; keys order-xyz-i, currency XYZ);</li>
 *   <li>N good JSON order events (default 2; keys order-ok-i).</li>
 * </ul>
 * Then it runs a Kafka Streams application (application id ID, default dlq-seed-streams; the
 * consumer group of that name) whose topology reads ORIGIN with a String key serde and a JSON
 * value serde and hands each order to a processor that throws IllegalStateException for currency
 * XYZ, with {@code errors.dead.letter.queue.topic.name=DLQ} and the built-in handlers
 * LogAndContinueExceptionHandler (deserialization) and LogAndContinueProcessingExceptionHandler
 * (processing), which then write each failed record to DLQ with __streams.errors.* headers. The
 * program reads DLQ back with a plain KafkaConsumer from where it ended before this run until it
 * holds a dead letter for each bad record (matched by __streams.errors.topic/partition/offset; at
 * most --timeout seconds, default 90), closes the application and prints one JSON object on
 * stdout:
 *
 * <pre>
 * {"producer", "streams_version", "origin", "dlq", "application_id", "partitions",
 *  "records": [{"partition", "offset", "timestamp", "key", "value", "headers", "kind",
 *               "dlq_partition", "dlq_offset", "dlq_timestamp", "dlq_key", "dlq_value",
 *               "dlq_headers"}],
 *  "good": [{"partition", "offset", "key", "value"}],
 *  "extra_dead_letters": [{"dlq_partition", "dlq_offset", "origin"}]}
 * </pre>
 *
 * records are the bad originals, sorted by partition and offset; kind is "deserialization" or
 * "processing". Keys, values and headers are UTF-8 text (every one this program writes is);
 * dlq_headers are every header of the dead letter in order (header names are unique here), the
 * stack trace summarised as {"first_line", "bytes"}, a null header value as null.
 * extra_dead_letters are any further records in DLQ since the run began (a second copy of a dead
 * letter: Streams is at-least-once), so a caller can count what DLQ holds. Logs go to stderr; on
 * failure it exits with status 1 and says why on stderr.
 */
public final class StreamsDlq {

  static final String E = "__streams.errors.";
  static final String BAD_CURRENCY = "XYZ";

  public static void main(String[] argv) {
    try {
      System.out.println(run(parse(argv)));
      System.out.flush();
      System.exit(0);
    } catch (Usage e) {
      System.err.println("streams-dlq: " + e.getMessage());
      System.exit(2);
    } catch (Exception e) {
      System.err.println("streams-dlq: " + (e.getClass() == Exception.class ? e.getMessage() : e.toString()));
      System.exit(1);
    }
  }

  static final class Usage extends Exception {
    Usage(String m) { super(m); }
  }

  static final class Args {
    String bootstrap, origin, dlq, applicationId = "dlq-seed-streams";
    int deserialization = 2, processing = 2, good = 2, partitions = 1, dlqPartitions = 1, timeoutSeconds = 90;
  }

  static Args parse(String[] argv) throws Usage {
    Args a = new Args();
    for (int i = 0; i < argv.length; i += 2) {
      String name = argv[i];
      if (i + 1 >= argv.length) throw new Usage("missing a value after " + name);
      String v = argv[i + 1];
      switch (name) {
        case "--bootstrap" -> a.bootstrap = v;
        case "--origin" -> a.origin = v;
        case "--dlq" -> a.dlq = v;
        case "--application-id" -> a.applicationId = v;
        case "--deserialization" -> a.deserialization = number(name, v, 0);
        case "--processing" -> a.processing = number(name, v, 0);
        case "--good" -> a.good = number(name, v, 0);
        case "--partitions" -> a.partitions = number(name, v, 1);
        case "--dlq-partitions" -> a.dlqPartitions = number(name, v, 1);
        case "--timeout" -> a.timeoutSeconds = number(name, v, 1);
        default -> throw new Usage("unknown argument " + name + " (expected --bootstrap --origin --dlq"
            + " --deserialization --processing --good --partitions --dlq-partitions --application-id --timeout)");
      }
    }
    if (a.bootstrap == null || a.origin == null) throw new Usage("--bootstrap and --origin are required");
    if (a.dlq == null) a.dlq = a.origin + ".dlq";
    if (a.dlq.equals(a.origin)) throw new Usage("--dlq must differ from --origin");
    return a;
  }

  static int number(String name, String v, int min) throws Usage {
    try {
      int n = Integer.parseInt(v);
      if (n >= min) return n;
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw new Usage(name + " wants an integer >= " + min + ", not '" + v + "'");
  }

  /** One record as produced to ORIGIN. */
  record Produced(String kind, String key, String value, Map<String, String> headers, int partition, long offset,
      long timestamp) {}

  static String run(Args a) throws Exception {
    // Where DLQ ends before this run: dead letters of earlier runs are not ours.
    Map<TopicPartition, Long> dlqStart = new HashMap<>();
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, a.bootstrap,
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 20000, AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10000))) {
      ensureTopic(admin, a.origin, a.partitions);
      int dlqPartitions = ensureTopic(admin, a.dlq, a.dlqPartitions);
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      for (int p = 0; p < dlqPartitions; p++) latest.put(new TopicPartition(a.dlq, p), OffsetSpec.latest());
      admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).forEach((tp, info) -> dlqStart.put(tp, info.offset()));
    }

    List<Produced> produced = produce(a);

    Path stateDir = Files.createTempDirectory("dlq-streams-state");
    Properties config = streamsConfig(a, stateDir);
    KafkaStreams streams = new KafkaStreams(topology(a, config), config);
    AtomicReference<Throwable> died = new AtomicReference<>();
    streams.setUncaughtExceptionHandler(e -> {
      died.set(e);
      return org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    });
    Map<String, Map<String, Object>> found;
    List<Map<String, Object>> extra = new ArrayList<>();
    streams.start();
    try {
      found = readBack(a, dlqStart, produced, extra, died);
    } finally {
      streams.close(Duration.ofSeconds(20));
      streams.cleanUp();
      deleteTree(stateDir);
    }
    return report(a, produced, found, extra);
  }

  /** Creates the topic with `partitions` unless it exists with at least that many; its partition count. */
  static int ensureTopic(Admin admin, String topic, int partitions) throws Exception {
    try {
      admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
      return partitions;
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) throw new Exception("creating topic " + topic + ": " + e.getCause(), e);
      TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic);
      if (d.partitions().size() < partitions) {
        throw new Exception("topic " + topic + " exists with " + d.partitions().size()
            + " partitions, fewer than asked for (" + partitions + ")");
      }
      return d.partitions().size();
    }
  }

  static String order(int id, double amount, String currency) {
    return String.format(Locale.ROOT, "{\"order_id\": %d, \"amount\": %.2f, \"currency\": \"%s\"}", id, amount, currency);
  }

  static List<Produced> produce(Args a) throws Exception {
    // The plan, interleaved: deserialization, processing, good, deserialization, ...
    List<String[]> plan = new ArrayList<>(); // kind, i, key, value
    int d = 0, p = 0, g = 0;
    while (d < a.deserialization || p < a.processing || g < a.good) {
      if (d < a.deserialization) {
        plan.add(new String[] {"deserialization", String.valueOf(d), "order-bad-" + d, "not json " + d});
        d++;
      }
      if (p < a.processing) {
        plan.add(new String[] {"processing", String.valueOf(p), "order-xyz-" + p, order(2000 + p, 20 + p * 1.5, BAD_CURRENCY)});
        p++;
      }
      if (g < a.good) {
        plan.add(new String[] {"good", String.valueOf(g), "order-ok-" + g, order(1000 + g, 10 + g * 2.5, "EUR")});
        g++;
      }
    }
    Map<String, Object> conf = new HashMap<>();
    conf.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, a.bootstrap);
    conf.put(ProducerConfig.ACKS_CONFIG, "all");
    conf.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    conf.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    List<Future<RecordMetadata>> sends = new ArrayList<>();
    List<Map<String, String>> headers = new ArrayList<>();
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(conf)) {
      for (String[] r : plan) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("trace_id", "trace-" + r[0] + "-" + r[1]);
        h.put("source", "dlq-seed");
        headers.add(h);
        RecordHeaders rh = new RecordHeaders();
        h.forEach((k, v) -> rh.add(k, v.getBytes(StandardCharsets.UTF_8)));
        int partition = Integer.parseInt(r[1]) % a.partitions;
        sends.add(producer.send(new ProducerRecord<>(a.origin, partition, null, r[2], r[3], rh)));
      }
      producer.flush();
      List<Produced> out = new ArrayList<>();
      for (int i = 0; i < plan.size(); i++) {
        RecordMetadata md = sends.get(i).get(30, TimeUnit.SECONDS);
        String[] r = plan.get(i);
        out.add(new Produced(r[0], r[2], r[3], headers.get(i), md.partition(), md.offset(), md.timestamp()));
      }
      return out;
    }
  }

  /** JSON values, as a service would read them: Jackson, failing on anything that is not JSON. */
  static final class JsonDeserializer implements Deserializer<JsonNode> {
    private final ObjectMapper mapper = new ObjectMapper();

    @Override
    public JsonNode deserialize(String topic, byte[] data) {
      if (data == null) return null;
      try {
        return mapper.readTree(data);
      } catch (java.io.IOException e) {
        String why = String.valueOf(e.getMessage()).split("\n", 2)[0];
        throw new SerializationException("a value of " + topic + " is not JSON: " + why, e);
      }
    }
  }

  static Serde<JsonNode> jsonSerde() {
    ObjectMapper mapper = new ObjectMapper();
    return Serdes.serdeFrom((topic, node) -> {
      try {
        return node == null ? null : mapper.writeValueAsBytes(node);
      } catch (Exception e) {
        throw new SerializationException(e);
      }
    }, new JsonDeserializer());
  }

  static final AtomicInteger PRICED = new AtomicInteger();

  static org.apache.kafka.streams.Topology topology(Args a, Properties config) {
    StreamsBuilder b = new StreamsBuilder(new TopologyConfig(new StreamsConfig(config)));
    b.stream(a.origin, Consumed.with(Serdes.String(), jsonSerde()).withName("orders-source"))
        .foreach((key, order) -> {
          String currency = order.path("currency").asText();
          if (BAD_CURRENCY.equals(currency)) {
            throw new IllegalStateException("order " + order.path("order_id").asText() + " (" + key
                + ") cannot be priced: currency " + currency + " unknown");
          }
          PRICED.incrementAndGet();
        }, org.apache.kafka.streams.kstream.Named.as("price-order"));
    return b.build();
  }

  static Properties streamsConfig(Args a, Path stateDir) {
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, a.applicationId);
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, a.bootstrap);
    p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    p.put(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, a.dlq);
    p.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, LogAndContinueExceptionHandler.class);
    p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, LogAndContinueProcessingExceptionHandler.class);
    // No global stores here; said so, which also stills Streams' warning that the handler is off there.
    p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
    p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
    p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 200);
    p.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
    // A single-node test broker: the group starts at once.
    p.put(StreamsConfig.consumerPrefix(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG), 100);
    return p;
  }

  /**
   * Reads DLQ from where it ended before this run until every bad record has its dead letter
   * (matched by the __streams.errors.* coordinates); returns, per "partition/offset" of the
   * original, the first dead letter read; any other record goes to `extra`.
   */
  static Map<String, Map<String, Object>> readBack(Args a, Map<TopicPartition, Long> start, List<Produced> produced,
      List<Map<String, Object>> extra, AtomicReference<Throwable> died) throws Exception {
    Map<String, Produced> wanted = new LinkedHashMap<>();
    for (Produced p : produced) {
      if (!p.kind().equals("good")) wanted.put(p.partition() + "/" + p.offset(), p);
    }
    Map<String, Map<String, Object>> found = new LinkedHashMap<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(a.timeoutSeconds);
    Map<String, Object> c = new HashMap<>();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, a.bootstrap);
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c)) {
      consumer.assign(start.keySet());
      start.forEach(consumer::seek);
      while (found.size() < wanted.size()) {
        if (died.get() != null) throw new Exception("the Streams application died: " + died.get());
        if (System.nanoTime() > deadline) {
          throw new Exception("timed out after " + a.timeoutSeconds + " s: " + found.size() + " of " + wanted.size()
              + " dead letters in " + a.dlq + " (" + extra.size() + " other records there)");
        }
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          Map<String, Object> headers = decodeHeaders(r);
          String id = headers.get(E + "partition") + "/" + headers.get(E + "offset");
          if (a.origin.equals(headers.get(E + "topic")) && wanted.containsKey(id) && !found.containsKey(id)) {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("dlq_partition", r.partition());
            d.put("dlq_offset", r.offset());
            d.put("dlq_timestamp", r.timestamp());
            d.put("dlq_key", text(r.key()));
            d.put("dlq_value", text(r.value()));
            d.put("dlq_headers", headers);
            found.put(id, d);
          } else {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("dlq_partition", r.partition());
            x.put("dlq_offset", r.offset());
            x.put("origin", headers.get(E + "topic") + "/" + id);
            extra.add(x);
          }
        }
      }
      // A short look for second copies (at-least-once), so callers can count what DLQ holds.
      long settle = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
      while (System.nanoTime() < settle) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          Map<String, Object> headers = decodeHeaders(r);
          Map<String, Object> x = new LinkedHashMap<>();
          x.put("dlq_partition", r.partition());
          x.put("dlq_offset", r.offset());
          x.put("origin", headers.get(E + "topic") + "/" + headers.get(E + "partition") + "/" + headers.get(E + "offset"));
          extra.add(x);
        }
      }
    }
    return found;
  }

  static String text(byte[] b) {
    return b == null ? null : new String(b, StandardCharsets.UTF_8);
  }

  /** Every header, in order, as UTF-8 text; the stack trace summarised. */
  static Map<String, Object> decodeHeaders(ConsumerRecord<byte[], byte[]> r) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (Header h : r.headers()) {
      byte[] v = h.value();
      Object d;
      if (v == null) {
        d = null;
      } else if (h.key().equals(E + "stacktrace")) {
        String s = new String(v, StandardCharsets.UTF_8);
        int nl = s.indexOf('\n');
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("first_line", (nl < 0 ? s : s.substring(0, nl)).stripTrailing());
        m.put("bytes", v.length);
        d = m;
      } else {
        d = new String(v, StandardCharsets.UTF_8);
      }
      out.put(h.key(), d);
    }
    return out;
  }

  static String report(Args a, List<Produced> produced, Map<String, Map<String, Object>> found,
      List<Map<String, Object>> extra) {
    Map<String, Object> top = new LinkedHashMap<>();
    String version = streamsVersion();
    top.put("producer", "kafka-streams " + version + " LogAndContinueExceptionHandler, LogAndContinueProcessingExceptionHandler");
    top.put("streams_version", version);
    top.put("origin", a.origin);
    top.put("dlq", a.dlq);
    top.put("application_id", a.applicationId);
    top.put("partitions", a.partitions);
    List<Produced> sorted = new ArrayList<>(produced);
    sorted.sort(Comparator.comparingInt(Produced::partition).thenComparingLong(Produced::offset));
    List<Object> records = new ArrayList<>();
    List<Object> good = new ArrayList<>();
    for (Produced p : sorted) {
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("partition", p.partition());
      r.put("offset", p.offset());
      if (p.kind().equals("good")) {
        r.put("key", p.key());
        r.put("value", p.value());
        good.add(r);
        continue;
      }
      r.put("timestamp", p.timestamp());
      r.put("key", p.key());
      r.put("value", p.value());
      r.put("headers", p.headers());
      r.put("kind", p.kind());
      r.putAll(found.get(p.partition() + "/" + p.offset()));
      records.add(r);
    }
    top.put("records", records);
    top.put("good", good);
    top.put("extra_dead_letters", extra);
    return json(top);
  }

  /** Kafka Streams' own release, from the properties file its jar carries. */
  static String streamsVersion() {
    try (var in = KafkaStreams.class.getResourceAsStream("/kafka/kafka-streams-version.properties")) {
      Properties p = new Properties();
      if (in != null) p.load(in);
      return p.getProperty("version", "unknown");
    } catch (java.io.IOException e) {
      return "unknown";
    }
  }

  static void deleteTree(Path root) {
    try (var paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (Exception ignored) {
      // a temporary folder: best effort
    }
  }

  static String json(Object o) {
    StringBuilder s = new StringBuilder();
    write(s, o);
    return s.toString();
  }

  static void write(StringBuilder s, Object o) {
    if (o == null) {
      s.append("null");
    } else if (o instanceof Number || o instanceof Boolean) {
      s.append(o);
    } else if (o instanceof Map<?, ?> m) {
      s.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : m.entrySet()) {
        if (!first) s.append(", ");
        first = false;
        write(s, String.valueOf(e.getKey()));
        s.append(": ");
        write(s, e.getValue());
      }
      s.append('}');
    } else if (o instanceof List<?> l) {
      s.append('[');
      for (int i = 0; i < l.size(); i++) {
        if (i > 0) s.append(", ");
        write(s, l.get(i));
      }
      s.append(']');
    } else {
      String t = o.toString();
      s.append('"');
      for (int i = 0; i < t.length(); i++) {
        char c = t.charAt(i);
        switch (c) {
          case '"' -> s.append("\\\"");
          case '\\' -> s.append("\\\\");
          case '\n' -> s.append("\\n");
          case '\r' -> s.append("\\r");
          case '\t' -> s.append("\\t");
          default -> {
            if (c < 0x20 || c == 0x7f) s.append(String.format("\\u%04x", (int) c));
            else s.append(c);
          }
        }
      }
      s.append('"');
    }
  }
}
