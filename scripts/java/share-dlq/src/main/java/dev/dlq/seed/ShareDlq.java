package dev.dlq.seed;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Dead letters the broker writes for a share group (KIP-1191, Apache Kafka 4.4): a real
 * KafkaShareConsumer rejects records, or releases one until the group's delivery limit, and the
 * broker copies them to the group's dead-letter topic. For dlq's tests and quickstart.
 *
 * <pre>
 * java -jar target/share-dlq.jar --bootstrap HOST:PORT --origin TOPIC --group G --dlq dlq.NAME
 *      [--copy true|false] [--rejected N] [--released N] [--accepted N] [--partitions P]
 *      [--dlq-partitions Q] [--delivery-limit L] [--timeout SECONDS]
 * </pre>
 *
 * Creates ORIGIN (P partitions, default 1) and DLQ (Q partitions, default 1; its name must start
 * with "dlq.", the broker's default errors.deadletterqueue.topic.name.prefix) with topic config
 * errors.deadletterqueue.group.enable=true, if they do not exist. Sets share group G's configs
 * with Admin incrementalAlterConfigs on the GROUP resource: errors.deadletterqueue.topic.name=DLQ,
 * errors.deadletterqueue.copy.record.enable=COPY (default false), share.delivery.count.limit=L
 * (default 2) and share.auto.offset.reset=earliest. Produces to ORIGIN, interleaved, the i-th of
 * each kind to partition i % P, JSON order events with keys and two headers of their own
 * (trace_id, source): N to reject (default 2; keys order-reject-i), N to release until the limit
 * (default 1; keys order-release-i) and N to accept (default 2; keys order-ok-i). Then a
 * KafkaShareConsumer in G with share.acknowledgement.mode=explicit acknowledges each delivery by
 * its key: REJECT, RELEASE (every time it comes back) or ACCEPT, committing after each poll. It
 * reads DLQ with a plain KafkaConsumer, from where it ended before the run, until DLQ holds a dead
 * letter for every rejected and released record (matched by __dlq.errors.topic, .partition and
 * .offset; at most --timeout seconds, default 90), closes the consumers and prints one JSON object
 * on stdout:
 *
 * <pre>
 * {"producer", "kafka_version", "origin", "dlq", "group", "copy", "delivery_limit", "partitions",
 *  "records": [{"partition", "offset", "timestamp", "key", "value", "headers", "fate",
 *               "deliveries", "dlq_partition", "dlq_offset", "dlq_timestamp", "dlq_key",
 *               "dlq_value", "dlq_key_present", "dlq_value_present", "dlq_headers",
 *               "dlq_copies"}],
 *  "accepted": [{"partition", "offset", "key", "deliveries"}],
 *  "dead_letters": [{"dlq_partition", "dlq_offset", "dlq_timestamp", "dlq_timestamp_type",
 *                    "key_present", "value_present", "headers", "ours"}]}
 * </pre>
 *
 * records are the dead-lettered originals, sorted by partition and offset; fate is "rejected" or
 * "delivery_limit"; deliveries is how many times the consumer was handed the record; the dlq_*
 * fields describe the first dead letter read for it, and dlq_copies how many DLQ records name it.
 * dead_letters are every record read from DLQ since the run began, ours or not ("ours": it names
 * a record of this run), so a caller can count what DLQ holds and match by origin partition and
 * offset instead of trusting that the broker wrote each once. Keys, values and header values are
 * shown as UTF-8 text (everything this program writes is text), a null as null. Logs go to
 * stderr; on failure it exits with status 1 and says why on stderr.
 */
public final class ShareDlq {

  static final String E = "__dlq.errors.";

  public static void main(String[] argv) {
    try {
      System.out.println(run(parse(argv)));
      System.out.flush();
      System.exit(0);
    } catch (Usage e) {
      System.err.println("share-dlq: " + e.getMessage());
      System.exit(2);
    } catch (Exception e) {
      System.err.println("share-dlq: " + (e.getClass() == Exception.class ? e.getMessage() : e.toString()));
      System.exit(1);
    }
  }

  static final class Usage extends Exception {
    Usage(String m) { super(m); }
  }

  static final class Args {
    String bootstrap, origin, group, dlq;
    boolean copy = false;
    int rejected = 2, released = 1, accepted = 2, partitions = 1, dlqPartitions = 1, deliveryLimit = 2,
        timeoutSeconds = 90;
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
        case "--group" -> a.group = v;
        case "--dlq" -> a.dlq = v;
        case "--copy" -> {
          if (!v.equals("true") && !v.equals("false")) throw new Usage("--copy wants true or false, not '" + v + "'");
          a.copy = v.equals("true");
        }
        case "--rejected" -> a.rejected = number(name, v, 0);
        case "--released" -> a.released = number(name, v, 0);
        case "--accepted" -> a.accepted = number(name, v, 0);
        case "--partitions" -> a.partitions = number(name, v, 1);
        case "--dlq-partitions" -> a.dlqPartitions = number(name, v, 1);
        case "--delivery-limit" -> a.deliveryLimit = number(name, v, 2);
        case "--timeout" -> a.timeoutSeconds = number(name, v, 1);
        default -> throw new Usage("unknown argument " + name + " (expected --bootstrap --origin --group --dlq --copy"
            + " --rejected --released --accepted --partitions --dlq-partitions --delivery-limit --timeout)");
      }
    }
    if (a.bootstrap == null || a.origin == null || a.group == null || a.dlq == null) {
      throw new Usage("--bootstrap, --origin, --group and --dlq are required");
    }
    if (!a.dlq.startsWith("dlq.")) {
      throw new Usage("--dlq must start with 'dlq.' (the broker's errors.deadletterqueue.topic.name.prefix), not '" + a.dlq + "'");
    }
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

  /** One record as produced to ORIGIN; fate is "rejected", "delivery_limit" or "accepted". */
  record Produced(String fate, String key, String value, Map<String, String> headers, int partition, long offset,
      long timestamp) {
    String id() {
      return partition + "/" + offset;
    }
  }

  static String run(Args a) throws Exception {
    Map<TopicPartition, Long> dlqStart = new HashMap<>();
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, a.bootstrap,
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 20000, AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10000))) {
      ensureTopic(admin, a.origin, a.partitions, Map.of());
      int dlqPartitions = ensureTopic(admin, a.dlq, a.dlqPartitions, Map.of("errors.deadletterqueue.group.enable", "true"));
      // The topic may have existed without the setting: set it either way.
      alter(admin, new ConfigResource(ConfigResource.Type.TOPIC, a.dlq), Map.of("errors.deadletterqueue.group.enable", "true"));
      Map<String, String> group = new LinkedHashMap<>();
      group.put("errors.deadletterqueue.topic.name", a.dlq);
      group.put("errors.deadletterqueue.copy.record.enable", String.valueOf(a.copy));
      group.put("share.delivery.count.limit", String.valueOf(a.deliveryLimit));
      group.put("share.auto.offset.reset", "earliest");
      alter(admin, new ConfigResource(ConfigResource.Type.GROUP, a.group), group);
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      for (int p = 0; p < dlqPartitions; p++) latest.put(new TopicPartition(a.dlq, p), OffsetSpec.latest());
      admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).forEach((tp, info) -> dlqStart.put(tp, info.offset()));
    }

    List<Produced> produced = produce(a);
    Map<String, Produced> byId = new LinkedHashMap<>();
    for (Produced p : produced) byId.put(p.id(), p);
    Map<String, Integer> deliveries = new HashMap<>();
    // Per original "partition/offset": the first dead letter read; and every DLQ record read.
    Map<String, Map<String, Object>> firstLetter = new LinkedHashMap<>();
    Map<String, Integer> copies = new HashMap<>();
    List<Map<String, Object>> deadLetters = new ArrayList<>();
    long wanted = produced.stream().filter(p -> !p.fate().equals("accepted")).count();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(a.timeoutSeconds);

    try (KafkaShareConsumer<String, String> share = shareConsumer(a);
         KafkaConsumer<byte[], byte[]> reader = plainConsumer(a.bootstrap)) {
      share.subscribe(List.of(a.origin));
      reader.assign(dlqStart.keySet());
      dlqStart.forEach(reader::seek);
      while (firstLetter.size() < wanted || !allAcceptedSeen(produced, deliveries)) {
        if (System.nanoTime() > deadline) {
          throw new Exception("timed out after " + a.timeoutSeconds + " s: " + firstLetter.size() + " of " + wanted
              + " dead letters in " + a.dlq + " (" + (deadLetters.size() - firstLetter.size())
              + " other records there); deliveries so far " + deliveries);
        }
        for (ConsumerRecord<String, String> r : share.poll(Duration.ofMillis(200))) {
          String id = r.partition() + "/" + r.offset();
          deliveries.merge(id, 1, Integer::sum);
          Produced p = byId.get(id);
          AcknowledgeType ack = p == null ? AcknowledgeType.ACCEPT : switch (p.fate()) {
            case "rejected" -> AcknowledgeType.REJECT;
            case "delivery_limit" -> AcknowledgeType.RELEASE;
            default -> AcknowledgeType.ACCEPT;
          };
          share.acknowledge(r, ack);
        }
        share.commitSync(Duration.ofSeconds(10));
        for (ConsumerRecord<byte[], byte[]> r : reader.poll(Duration.ofMillis(100))) {
          Map<String, Object> letter = describe(r);
          @SuppressWarnings("unchecked")
          Map<String, Object> h = (Map<String, Object>) letter.get("headers");
          String id = h.get(E + "partition") + "/" + h.get(E + "offset");
          Produced p = byId.get(id);
          boolean ours = a.origin.equals(h.get(E + "topic")) && a.group.equals(h.get(E + "group")) && p != null
              && !p.fate().equals("accepted");
          letter.put("ours", ours);
          deadLetters.add(letter);
          if (ours) {
            copies.merge(id, 1, Integer::sum);
            firstLetter.putIfAbsent(id, letter);
          }
        }
      }
      // A short look for second copies, so that dead_letters shows what DLQ holds.
      long settle = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
      while (System.nanoTime() < settle) {
        for (ConsumerRecord<byte[], byte[]> r : reader.poll(Duration.ofMillis(200))) {
          Map<String, Object> letter = describe(r);
          @SuppressWarnings("unchecked")
          Map<String, Object> h = (Map<String, Object>) letter.get("headers");
          String id = h.get(E + "partition") + "/" + h.get(E + "offset");
          boolean ours = a.origin.equals(h.get(E + "topic")) && a.group.equals(h.get(E + "group")) && firstLetter.containsKey(id);
          letter.put("ours", ours);
          deadLetters.add(letter);
          if (ours) copies.merge(id, 1, Integer::sum);
        }
      }
    }
    return report(a, produced, deliveries, firstLetter, copies, deadLetters);
  }

  static boolean allAcceptedSeen(List<Produced> produced, Map<String, Integer> deliveries) {
    return produced.stream().filter(p -> p.fate().equals("accepted")).allMatch(p -> deliveries.containsKey(p.id()));
  }

  static void alter(Admin admin, ConfigResource resource, Map<String, String> configs) throws Exception {
    Collection<AlterConfigOp> ops = new ArrayList<>();
    configs.forEach((k, v) -> ops.add(new AlterConfigOp(new ConfigEntry(k, v), AlterConfigOp.OpType.SET)));
    try {
      admin.incrementalAlterConfigs(Map.of(resource, ops)).all().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new Exception("setting " + configs + " on " + resource + ": " + e.getCause(), e);
    }
  }

  static int ensureTopic(Admin admin, String topic, int partitions, Map<String, String> configs) throws Exception {
    try {
      admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1).configs(configs))).all().get(30, TimeUnit.SECONDS);
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

  static List<Produced> produce(Args a) throws Exception {
    List<String[]> plan = new ArrayList<>(); // fate, i, key, value
    int rj = 0, rl = 0, ac = 0;
    while (rj < a.rejected || rl < a.released || ac < a.accepted) {
      if (rj < a.rejected) {
        plan.add(new String[] {"rejected", String.valueOf(rj), "order-reject-" + rj, order(3000 + rj, 30 + rj * 1.25, "XYZ")});
        rj++;
      }
      if (rl < a.released) {
        plan.add(new String[] {"delivery_limit", String.valueOf(rl), "order-release-" + rl, order(4000 + rl, 40 + rl * 1.25, "EUR")});
        rl++;
      }
      if (ac < a.accepted) {
        plan.add(new String[] {"accepted", String.valueOf(ac), "order-ok-" + ac, order(1000 + ac, 10 + ac * 2.5, "EUR")});
        ac++;
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

  static String order(int id, double amount, String currency) {
    return String.format(Locale.ROOT, "{\"order_id\": %d, \"amount\": %.2f, \"currency\": \"%s\"}", id, amount, currency);
  }

  static KafkaShareConsumer<String, String> shareConsumer(Args a) {
    Map<String, Object> c = new HashMap<>();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, a.bootstrap);
    c.put(ConsumerConfig.GROUP_ID_CONFIG, a.group);
    c.put(ConsumerConfig.SHARE_ACKNOWLEDGEMENT_MODE_CONFIG, "explicit");
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    return new KafkaShareConsumer<>(c);
  }

  static KafkaConsumer<byte[], byte[]> plainConsumer(String bootstrap) {
    Map<String, Object> c = new HashMap<>();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    return new KafkaConsumer<>(c);
  }

  /** A DLQ record as read: coordinates, timestamp, key and value (text, or null) and every header. */
  static Map<String, Object> describe(ConsumerRecord<byte[], byte[]> r) {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("dlq_partition", r.partition());
    d.put("dlq_offset", r.offset());
    d.put("dlq_timestamp", r.timestamp());
    d.put("dlq_timestamp_type", r.timestampType().toString());
    d.put("key", text(r.key()));
    d.put("value", text(r.value()));
    d.put("key_present", r.key() != null);
    d.put("value_present", r.value() != null);
    Map<String, Object> h = new LinkedHashMap<>();
    for (Header x : r.headers()) h.put(x.key(), text(x.value()));
    d.put("headers", h);
    return d;
  }

  static String text(byte[] b) {
    return b == null ? null : new String(b, StandardCharsets.UTF_8);
  }

  static String report(Args a, List<Produced> produced, Map<String, Integer> deliveries,
      Map<String, Map<String, Object>> firstLetter, Map<String, Integer> copies, List<Map<String, Object>> deadLetters) {
    Map<String, Object> top = new LinkedHashMap<>();
    String version = Optional.ofNullable(KafkaShareConsumer.class.getPackage().getImplementationVersion())
        .orElseGet(ShareDlq::clientsVersion);
    top.put("producer", "kafka share group DLQ (broker), KafkaShareConsumer " + version);
    top.put("kafka_version", version);
    top.put("origin", a.origin);
    top.put("dlq", a.dlq);
    top.put("group", a.group);
    top.put("copy", a.copy);
    top.put("delivery_limit", a.deliveryLimit);
    top.put("partitions", a.partitions);
    List<Produced> sorted = new ArrayList<>(produced);
    sorted.sort(Comparator.comparingInt(Produced::partition).thenComparingLong(Produced::offset));
    List<Object> records = new ArrayList<>();
    List<Object> accepted = new ArrayList<>();
    for (Produced p : sorted) {
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("partition", p.partition());
      r.put("offset", p.offset());
      if (p.fate().equals("accepted")) {
        r.put("key", p.key());
        r.put("deliveries", deliveries.getOrDefault(p.id(), 0));
        accepted.add(r);
        continue;
      }
      Map<String, Object> d = firstLetter.get(p.id());
      r.put("timestamp", p.timestamp());
      r.put("key", p.key());
      r.put("value", p.value());
      r.put("headers", p.headers());
      r.put("fate", p.fate());
      r.put("deliveries", deliveries.getOrDefault(p.id(), 0));
      r.put("dlq_partition", d.get("dlq_partition"));
      r.put("dlq_offset", d.get("dlq_offset"));
      r.put("dlq_timestamp", d.get("dlq_timestamp"));
      r.put("dlq_key", d.get("key"));
      r.put("dlq_value", d.get("value"));
      r.put("dlq_key_present", d.get("key_present"));
      r.put("dlq_value_present", d.get("value_present"));
      r.put("dlq_headers", d.get("headers"));
      r.put("dlq_copies", copies.getOrDefault(p.id(), 0));
      records.add(r);
    }
    top.put("records", records);
    top.put("accepted", accepted);
    top.put("dead_letters", deadLetters);
    return json(top);
  }

  /** kafka-clients' own release, from the properties file its jar carries. */
  static String clientsVersion() {
    try (var in = KafkaShareConsumer.class.getResourceAsStream("/kafka/kafka-version.properties")) {
      java.util.Properties p = new java.util.Properties();
      if (in != null) p.load(in);
      return p.getProperty("version", "unknown");
    } catch (java.io.IOException e) {
      return "unknown";
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
