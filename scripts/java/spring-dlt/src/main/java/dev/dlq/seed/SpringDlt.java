package dev.dlq.seed;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;
import org.springframework.kafka.listener.ContainerProperties;
import org.springframework.kafka.listener.DeadLetterPublishingRecoverer;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.kafka.listener.MessageListener;
import org.springframework.kafka.support.SendResult;
import org.springframework.util.backoff.FixedBackOff;

/**
 * Dead letters written by Spring Kafka's own {@link DeadLetterPublishingRecoverer}, the way a
 * Spring service writes them (no Spring Boot, no mocks), for dlq's tests and quickstart.
 *
 * <pre>
 * java -jar target/spring-dlt.jar --bootstrap HOST:PORT --origin TOPIC [--dlq TOPIC]
 *      [--count N] [--partitions P] [--group G] [--timeout SECONDS]
 * </pre>
 *
 * Creates ORIGIN and DLQ (default ORIGIN.DLT) with P partitions (default 1) if they do not exist,
 * produces N order events (default 10; keys order-i, JSON values, partition i % P) to ORIGIN,
 * then consumes ORIGIN in group G (default dlq-seed-spring) with a listener that throws for every
 * record. A DefaultErrorHandler (one retry, no back-off) hands each record to the recoverer, whose
 * destination resolver sends it to DLQ, same partition as the original. The program then reads
 * DLQ back with a plain KafkaConsumer until it holds a dead letter for every record it produced
 * (at most --timeout seconds, default 60) and prints one JSON object on stdout: the original
 * records' coordinates and, for each, the kafka_dlt-* headers decoded as Spring wrote them
 * (partition a 4-byte, offset and timestamp 8-byte big-endian integers). The stack trace header
 * is summarised (first line and size) rather than copied. Logs go to stderr; on failure it exits
 * with status 1 and says why on stderr.
 */
public final class SpringDlt {

  private static final String H = "kafka_dlt-";

  public static void main(String[] argv) {
    try {
      System.out.println(run(parse(argv)));
      System.out.flush();
      System.exit(0);
    } catch (Usage e) {
      System.err.println("spring-dlt: " + e.getMessage());
      System.exit(2);
    } catch (Exception e) {
      System.err.println("spring-dlt: " + (e.getClass() == Exception.class ? e.getMessage() : e.toString()));
      System.exit(1);
    }
  }

  static final class Usage extends Exception {
    Usage(String m) { super(m); }
  }

  static final class Args {
    String bootstrap, origin, dlq, group = "dlq-seed-spring";
    int count = 10, partitions = 1, timeoutSeconds = 60;
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
        case "--group" -> a.group = v;
        case "--count" -> a.count = positive(name, v, 0);
        case "--partitions" -> a.partitions = positive(name, v, 1);
        case "--timeout" -> a.timeoutSeconds = positive(name, v, 1);
        default -> throw new Usage("unknown argument " + name
            + " (expected --bootstrap --origin --dlq --count --partitions --group --timeout)");
      }
    }
    if (a.bootstrap == null || a.origin == null) throw new Usage("--bootstrap and --origin are required");
    if (a.dlq == null) a.dlq = a.origin + ".DLT";
    if (a.dlq.equals(a.origin)) throw new Usage("--dlq must differ from --origin");
    return a;
  }

  static int positive(String name, String v, int min) throws Usage {
    try {
      int n = Integer.parseInt(v);
      if (n >= min) return n;
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw new Usage(name + " wants an integer >= " + min + ", not '" + v + "'");
  }

  /** One order event as produced: its coordinates in ORIGIN. */
  record Produced(int i, String key, String value, int partition, long offset, long timestamp) {}

  static String run(Args a) throws Exception {
    // Where DLQ ends before this run: dead letters of earlier runs are not ours.
    Map<TopicPartition, Long> dlqStart = new HashMap<>();
    // Calls give up after 20 s (an unreachable broker fails fast, and close() has nothing to await).
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, a.bootstrap,
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 20000, AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10000))) {
      ensureTopic(admin, a.origin, a.partitions);
      boolean created = ensureTopic(admin, a.dlq, a.partitions);
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      for (int p = 0; p < a.partitions; p++) latest.put(new TopicPartition(a.dlq, p), OffsetSpec.latest());
      if (created) {
        // Just created: it is empty (and a broker may not know it for a moment yet).
        latest.keySet().forEach(tp -> dlqStart.put(tp, 0L));
      } else {
        admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).forEach((tp, info) -> dlqStart.put(tp, info.offset()));
      }
    }

    Map<String, Object> pconf = new HashMap<>();
    pconf.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, a.bootstrap);
    pconf.put(ProducerConfig.ACKS_CONFIG, "all");
    pconf.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    pconf.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    DefaultKafkaProducerFactory<String, String> pf = new DefaultKafkaProducerFactory<>(pconf);
    KafkaTemplate<String, String> template = new KafkaTemplate<>(pf);

    List<Produced> produced = produce(template, a);

    // The consumer side of a Spring service whose listener cannot handle anything.
    Map<String, Object> cconf = new HashMap<>();
    cconf.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, a.bootstrap);
    cconf.put(ConsumerConfig.GROUP_ID_CONFIG, a.group);
    cconf.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    // The error handler seeks back after every failure; a fetch parked at the log end for the
    // default 500 ms would then delay each record by that much.
    cconf.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 50);
    cconf.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    cconf.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    DefaultKafkaConsumerFactory<String, String> cf = new DefaultKafkaConsumerFactory<>(cconf);

    ContainerProperties props = new ContainerProperties(a.origin);
    props.setMessageListener((MessageListener<String, String>) rec -> {
      throw new IllegalStateException("order " + orderId(rec.key()) + " cannot be priced: currency XYZ unknown");
    });
    DeadLetterPublishingRecoverer recoverer = new DeadLetterPublishingRecoverer(template,
        (rec, ex) -> new TopicPartition(a.dlq, rec.partition()));
    DefaultErrorHandler errorHandler = new DefaultErrorHandler(recoverer, new FixedBackOff(0L, 1L));
    ConcurrentMessageListenerContainer<String, String> container = new ConcurrentMessageListenerContainer<>(cf, props);
    container.setConcurrency(Math.min(a.partitions, 3));
    container.setCommonErrorHandler(errorHandler);
    container.setBeanName("spring-dlt");

    Map<String, Map<String, Object>> found;
    container.start();
    try {
      found = readBack(a, dlqStart, produced);
    } finally {
      container.stop();
      pf.destroy();
    }
    return report(a, produced, found);
  }

  /** Creates TOPIC, or checks the one there has enough partitions; true when it was created. */
  static boolean ensureTopic(Admin admin, String topic, int partitions) throws Exception {
    try {
      admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
      return true;
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) throw new Exception("creating topic " + topic + ": " + e.getCause(), e);
      TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic);
      if (d.partitions().size() < partitions) {
        throw new Exception("topic " + topic + " exists with " + d.partitions().size()
            + " partitions, fewer than --partitions " + partitions);
      }
      return false;
    }
  }

  static List<Produced> produce(KafkaTemplate<String, String> template, Args a) throws Exception {
    List<CompletableFuture<SendResult<String, String>>> sends = new ArrayList<>();
    List<String[]> kv = new ArrayList<>();
    for (int i = 0; i < a.count; i++) {
      String key = "order-" + i;
      String value = String.format(Locale.ROOT,
          "{\"order_id\": %d, \"amount\": %.2f, \"currency\": \"XYZ\", \"customer\": \"customer-%d\"}",
          i, 10 + i * 2.5, i % 7);
      kv.add(new String[] {key, value});
      sends.add(template.send(a.origin, i % a.partitions, key, value));
    }
    template.flush();
    List<Produced> out = new ArrayList<>();
    for (int i = 0; i < a.count; i++) {
      RecordMetadata md = sends.get(i).get(30, TimeUnit.SECONDS).getRecordMetadata();
      out.add(new Produced(i, kv.get(i)[0], kv.get(i)[1], md.partition(), md.offset(), md.timestamp()));
    }
    return out;
  }

  static KafkaConsumer<byte[], byte[]> plainConsumer(String bootstrap) {
    Map<String, Object> c = new HashMap<>();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    return new KafkaConsumer<>(c);
  }

  /**
   * Reads DLQ from where it ended before this run until every produced record has its dead letter
   * (matched by the kafka_dlt-original-* headers); returns, per "partition/offset" of the original,
   * what was read.
   */
  static Map<String, Map<String, Object>> readBack(Args a, Map<TopicPartition, Long> start, List<Produced> produced)
      throws Exception {
    Set<String> wanted = new HashSet<>();
    for (Produced p : produced) wanted.add(p.partition() + "/" + p.offset());
    Map<String, Map<String, Object>> found = new LinkedHashMap<>();
    List<String> strangers = new ArrayList<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(a.timeoutSeconds);
    try (KafkaConsumer<byte[], byte[]> c = plainConsumer(a.bootstrap)) {
      c.assign(start.keySet());
      start.forEach(c::seek);
      while (found.size() < wanted.size()) {
        if (System.nanoTime() > deadline) {
          throw new Exception("timed out after " + a.timeoutSeconds + " s: " + found.size() + " of " + wanted.size()
              + " dead letters in " + a.dlq + (strangers.isEmpty() ? "" : "; unmatched dead letters: " + strangers));
        }
        ConsumerRecords<byte[], byte[]> recs = c.poll(Duration.ofMillis(500));
        for (ConsumerRecord<byte[], byte[]> r : recs) {
          Map<String, Object> headers = decodeHeaders(r);
          String id = headers.get(H + "original-partition") + "/" + headers.get(H + "original-offset");
          if (a.origin.equals(headers.get(H + "original-topic")) && wanted.contains(id)) {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("dlq_partition", r.partition());
            d.put("dlq_offset", r.offset());
            d.put("dlq_key", r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8));
            d.put("dlq_value", r.value() == null ? null : new String(r.value(), StandardCharsets.UTF_8));
            d.put("headers", headers);
            found.put(id, d);
          } else {
            strangers.add(r.partition() + "@" + r.offset());
          }
        }
      }
    }
    return found;
  }

  /** Every header, in order; Spring's binary numbers decoded, the stack trace summarised. */
  static Map<String, Object> decodeHeaders(ConsumerRecord<byte[], byte[]> r) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (Header h : r.headers()) {
      String k = h.key();
      byte[] v = h.value();
      Object d;
      if (v == null) {
        d = null;
      } else if (k.equals(H + "original-partition")) {
        d = v.length == 4 ? (Object) ByteBuffer.wrap(v).getInt() : Map.of("hex", hex(v));
      } else if (k.equals(H + "original-offset") || k.equals(H + "original-timestamp")) {
        d = v.length == 8 ? (Object) ByteBuffer.wrap(v).getLong() : Map.of("hex", hex(v));
      } else if (k.endsWith("exception-stacktrace")) {
        String s = new String(v, StandardCharsets.UTF_8);
        int nl = s.indexOf('\n');
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("first_line", nl < 0 ? s : s.substring(0, nl));
        m.put("bytes", v.length);
        d = m;
      } else {
        d = new String(v, StandardCharsets.UTF_8);
      }
      out.put(k, d);
    }
    return out;
  }

  static String report(Args a, List<Produced> produced, Map<String, Map<String, Object>> found) {
    Map<String, Object> top = new LinkedHashMap<>();
    top.put("producer", "spring-kafka DeadLetterPublishingRecoverer "
        + DeadLetterPublishingRecoverer.class.getPackage().getImplementationVersion());
    top.put("origin", a.origin);
    top.put("dlq", a.dlq);
    top.put("group", a.group);
    top.put("partitions", a.partitions);
    List<Object> records = new ArrayList<>();
    for (Produced p : produced) {
      Map<String, Object> d = found.get(p.partition() + "/" + p.offset());
      @SuppressWarnings("unchecked")
      Map<String, Object> headers = (Map<String, Object>) d.get("headers");
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("key", p.key());
      r.put("value", p.value());
      r.put("partition", p.partition());
      r.put("offset", p.offset());
      r.put("timestamp", p.timestamp());
      r.put("exception_message", headers.get(H + "exception-message"));
      r.putAll(d);
      records.add(r);
    }
    top.put("records", records);
    return json(top);
  }

  static String hex(byte[] b) {
    StringBuilder s = new StringBuilder();
    for (byte x : b) s.append(String.format("%02x", x));
    return s.toString();
  }

  static String orderId(String key) {
    return key != null && key.startsWith("order-") ? key.substring(6) : String.valueOf(key);
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
