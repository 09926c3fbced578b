package dev.dlq.seed;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.pulsar.client.api.AuthenticationFactory;
import org.apache.pulsar.client.api.ClientBuilder;
import org.apache.pulsar.client.api.Consumer;
import org.apache.pulsar.client.api.ConsumerBuilder;
import org.apache.pulsar.client.api.DeadLetterPolicy;
import org.apache.pulsar.client.api.Message;
import org.apache.pulsar.client.api.MessageId;
import org.apache.pulsar.client.api.MessageIdAdv;
import org.apache.pulsar.client.api.Producer;
import org.apache.pulsar.client.api.PulsarClient;
import org.apache.pulsar.client.api.Schema;
import org.apache.pulsar.client.api.SubscriptionInitialPosition;
import org.apache.pulsar.client.api.SubscriptionType;

/**
 * Dead letters made by the Apache Pulsar Java client itself, for dlq's tests.
 *
 * <p>Creates TOPIC as a partitioned topic (admin REST), produces COUNT messages (key, JSON value,
 * properties, event time), and consumes them on a Shared subscription with a DeadLetterPolicy until
 * every message has been given up on:
 * <ul>
 *   <li>{@code --mode nack}: negativeAcknowledge every delivery; after maxRedeliverCount
 *       redeliveries the client moves the message to a DLQ. Without {@code --dlq-topic}, the
 *       client (4.0) names the DLQ after the PARTITION the message came from:
 *       {@code TOPIC-partition-N-SUBSCRIPTION-DLQ}, one non-partitioned DLQ per partition;</li>
 *   <li>{@code --mode retry}: enableRetry(true) and reconsumeLater(100 ms) every delivery; the
 *       message goes round {@code TOPIC-SUBSCRIPTION-RETRY} maxRedeliverCount times, then to
 *       {@code TOPIC-SUBSCRIPTION-DLQ} (names made from the partitioned topic's own name).</li>
 * </ul>
 * It then reads the DLQ topic(s) back on a subscription of its own (from the earliest message)
 * and prints one JSON object on stdout: what was produced, and every dead letter with all its
 * properties. The reading subscription is removed afterwards. {@code "dlq_topics"} lists every DLQ topic read; {@code "dlq"} is the only one, or
 * null when there are several. Exits 1 with a message on stderr when something fails or the dead
 * letters do not all arrive.
 *
 * <pre>
 * java -jar pulsar-dlq.jar --url pulsar://127.0.0.1:6650 --admin-url http://127.0.0.1:8080
 *   --topic T --subscription S [--count 10] [--partitions 3] [--mode nack|retry]
 *   [--max-redeliver 1] [--batching true|false] [--dlq-topic NAME]
 *   [--dlq-initial-subscription NAME]
 *   [--token JWT | --token-file PATH] [--tls-trust-certs CA.pem] [--timeout-seconds 120]
 * </pre>
 * TOPIC (and a --dlq-topic) is a name in public/default or a full
 * persistent://tenant/namespace/name.
 */
public final class PulsarDlq {
  private static final long EVENT_TIME_BASE = 1_735_689_600_000L; // 2025-01-01T00:00:00Z

  private PulsarDlq() {}

  /** A failure worth one line on stderr. */
  static final class Fail extends Exception {
    Fail(String message) {
      super(message);
    }
  }

  public static void main(String[] argv) {
    // slf4j-simple: quiet unless asked (-Dorg.slf4j.simpleLogger.defaultLogLevel=info).
    if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    }
    // With enableRetry the client first looks for the legacy NAMESPACE/SUBSCRIPTION-RETRY and -DLQ
    // topics and logs a stack trace for each when they do not exist (the normal case).
    String lookup = "org.slf4j.simpleLogger.log.org.apache.pulsar.client.impl.BinaryProtoLookupService";
    if (System.getProperty(lookup) == null) {
      System.setProperty(lookup, "error");
    }
    int code = 0;
    try {
      System.out.println(run(parse(argv)));
    } catch (Fail e) {
      System.err.println("pulsar-dlq: " + e.getMessage());
      code = 1;
    } catch (Exception e) {
      System.err.println("pulsar-dlq: " + e);
      e.printStackTrace(System.err);
      code = 1;
    }
    System.out.flush();
    // The client's threads must not keep a failed run alive.
    System.exit(code);
  }

  // ---------------------------------------------------------------- arguments

  static final class Args {
    String url;
    String adminUrl;
    String topic;
    String subscription;
    String mode = "nack";
    int count = 10;
    int partitions = 3;
    int maxRedeliver = 1;
    boolean batching = true;
    String dlqTopic;
    String dlqInitialSubscription;
    String token;
    String tlsTrustCerts;
    long timeoutSeconds = 120;
  }

  static Args parse(String[] argv) throws Exception {
    Args a = new Args();
    for (int i = 0; i < argv.length; i++) {
      String flag = argv[i];
      if (i + 1 >= argv.length) {
        throw new Fail("missing value after " + flag);
      }
      String v = argv[++i];
      switch (flag) {
        case "--url" -> a.url = v;
        case "--admin-url" -> a.adminUrl = v.replaceAll("/+$", "");
        case "--topic" -> a.topic = v;
        case "--subscription" -> a.subscription = v;
        case "--mode" -> a.mode = v;
        case "--count" -> a.count = Integer.parseInt(v);
        case "--partitions" -> a.partitions = Integer.parseInt(v);
        case "--max-redeliver" -> a.maxRedeliver = Integer.parseInt(v);
        case "--batching" -> a.batching = Boolean.parseBoolean(v);
        case "--dlq-topic" -> a.dlqTopic = v;
        case "--dlq-initial-subscription" -> a.dlqInitialSubscription = v;
        case "--token" -> a.token = v;
        case "--token-file" -> a.token = Files.readString(Path.of(v)).trim();
        case "--tls-trust-certs" -> a.tlsTrustCerts = v;
        case "--timeout-seconds" -> a.timeoutSeconds = Long.parseLong(v);
        default -> throw new Fail("unknown argument " + flag);
      }
    }
    if (a.url == null || a.adminUrl == null || a.topic == null || a.subscription == null) {
      throw new Fail("--url, --admin-url, --topic and --subscription are required");
    }
    if (!a.mode.equals("nack") && !a.mode.equals("retry")) {
      throw new Fail("--mode is nack or retry, not " + a.mode);
    }
    if (a.count < 1 || a.partitions < 1 || a.maxRedeliver < 0) {
      throw new Fail("--count and --partitions must be positive, --max-redeliver not negative");
    }
    a.topic = fullName(a.topic);
    if (a.dlqTopic != null) {
      a.dlqTopic = fullName(a.dlqTopic);
    }
    return a;
  }

  static String fullName(String topic) throws Fail {
    String t = topic.contains("://") ? topic : "persistent://public/default/" + topic;
    if (!t.startsWith("persistent://") || t.split("/").length != 5) {
      throw new Fail("a topic is NAME or persistent://tenant/namespace/name, not " + topic);
    }
    return t;
  }

  // ---------------------------------------------------------------- admin REST

  /** The few admin REST calls needed, over java.net.http. */
  static final class Admin {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final String base;
    private final String token;

    Admin(String base, String token) {
      this.base = base;
      this.token = token;
    }

    /** persistent://t/n/x -> /admin/v2/persistent/t/n/x */
    static String path(String topic) {
      return "/admin/v2/persistent/" + topic.substring("persistent://".length());
    }

    /** persistent://t/n/x -> /admin/v2/persistent/t/n */
    static String namespacePath(String topic) {
      String p = path(topic);
      return p.substring(0, p.lastIndexOf('/'));
    }

    HttpResponse<String> send(String method, String path, String body) throws Exception {
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
          .timeout(Duration.ofSeconds(30))
          .header("Content-Type", "application/json")
          .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
              : HttpRequest.BodyPublishers.ofString(body));
      if (token != null) {
        b.header("Authorization", "Bearer " + token);
      }
      try {
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
      } catch (java.io.IOException e) {
        throw new Fail("admin REST " + method + " " + base + path + ": " + e);
      }
    }

    void createPartitioned(String topic, int partitions) throws Exception {
      HttpResponse<String> r = send("PUT", path(topic) + "/partitions", String.valueOf(partitions));
      if (r.statusCode() == 409) {
        throw new Fail(topic + " exists already: use a fresh topic name (" + r.body() + ")");
      }
      if (r.statusCode() / 100 != 2) {
        throw new Fail("creating " + topic + " with " + partitions + " partitions: HTTP "
            + r.statusCode() + " " + r.body());
      }
    }

    /** Partition count from the topic's partitioned metadata: 0 means not partitioned. */
    int partitions(String topic) throws Exception {
      HttpResponse<String> r = send("GET", path(topic) + "/partitions", null);
      Matcher m = Pattern.compile("\"partitions\"\\s*:\\s*(\\d+)").matcher(r.body());
      if (r.statusCode() != 200 || !m.find()) {
        throw new Fail("partitions of " + topic + ": HTTP " + r.statusCode() + " " + r.body());
      }
      return Integer.parseInt(m.group(1));
    }

    /** The namespace's topics: partitions and non-partitioned ones, then partitioned ones. */
    List<String> list(String topic) throws Exception {
      List<String> all = new ArrayList<>();
      for (String suffix : new String[] {"", "/partitioned"}) {
        HttpResponse<String> r = send("GET", namespacePath(topic) + suffix, null);
        if (r.statusCode() != 200) {
          throw new Fail("listing topics: HTTP " + r.statusCode() + " " + r.body());
        }
        Matcher m = Pattern.compile("\"([^\"]+)\"").matcher(r.body());
        while (m.find()) {
          all.add(m.group(1));
        }
      }
      return all;
    }

    /** Whether the namespace listings name the topic (or a partition of it). */
    boolean exists(String topic) throws Exception {
      for (String t : list(topic)) {
        if (t.equals(topic) || t.startsWith(topic + "-partition-")) {
          return true;
        }
      }
      return false;
    }
  }

  // ---------------------------------------------------------------- the run

  static String run(Args a) throws Exception {
    long started = System.nanoTime();
    long deadline = started + TimeUnit.SECONDS.toNanos(a.timeoutSeconds);
    boolean retry = a.mode.equals("retry");
    String retryTopic = retry ? a.topic + "-" + a.subscription + "-RETRY" : null;
    Admin admin = new Admin(a.adminUrl, a.token);
    admin.createPartitioned(a.topic, a.partitions);

    ClientBuilder cb = PulsarClient.builder().serviceUrl(a.url)
        .operationTimeout(30, TimeUnit.SECONDS);
    if (a.token != null) {
      cb.authentication(AuthenticationFactory.token(a.token));
    }
    if (a.tlsTrustCerts != null) {
      cb.tlsTrustCertsFilePath(a.tlsTrustCerts);
    }
    List<Map<String, Object>> produced = new ArrayList<>();
    List<Map<String, Object>> dead = new ArrayList<>();
    List<String> dlqs = new ArrayList<>();
    int deliveries = 0;
    int duplicates = 0;
    PulsarClient client = cb.build();
    try {
      DeadLetterPolicy.DeadLetterPolicyBuilder policy =
          DeadLetterPolicy.builder().maxRedeliverCount(a.maxRedeliver);
      if (a.dlqTopic != null) {
        policy.deadLetterTopic(a.dlqTopic);
      }
      if (a.dlqInitialSubscription != null) {
        policy.initialSubscriptionName(a.dlqInitialSubscription);
      }
      ConsumerBuilder<byte[]> consumerBuilder = client.newConsumer(Schema.BYTES)
          .topic(a.topic)
          .subscriptionName(a.subscription)
          .subscriptionType(SubscriptionType.Shared)
          .subscriptionInitialPosition(SubscriptionInitialPosition.Earliest)
          .negativeAckRedeliveryDelay(100, TimeUnit.MILLISECONDS)
          .deadLetterPolicy(policy.build());
      if (retry) {
        consumerBuilder.enableRetry(true);
      }
      try (Consumer<byte[]> consumer = consumerBuilder.subscribe()) {
        produce(client, a, produced);
        // Where the client will put the dead letters (see the class comment).
        if (a.dlqTopic != null) {
          dlqs.add(a.dlqTopic);
        } else if (retry) {
          dlqs.add(a.topic + "-" + a.subscription + "-DLQ");
        } else {
          new java.util.TreeSet<>(produced.stream().map(m -> (Integer) m.get("partition")).toList())
              .forEach(p -> dlqs.add(a.topic + "-partition-" + p + "-" + a.subscription + "-DLQ"));
        }

        // Give up on every delivery until each message had its last one; then read the DLQ.
        Map<String, Integer> seen = new HashMap<>();
        Set<String> exhausted = new HashSet<>();
        Set<String> deadSeqs = new HashSet<>();
        Consumer<byte[]> checker = null;
        long nextLook = 0;
        try {
          while (deadSeqs.size() < a.count) {
            if (System.nanoTime() > deadline) {
              List<String> dlqLike = admin.list(a.topic).stream()
                  .filter(t -> t.contains("-DLQ") || t.contains("-RETRY")).toList();
              throw new Fail(String.format(
                  "after %d s: %d of %d messages exhausted their %d redeliveries, %d dead letters"
                      + " read from %s (%d deliveries); DLQ/RETRY topics in the namespace: %s",
                  a.timeoutSeconds, exhausted.size(), a.count, a.maxRedeliver, deadSeqs.size(),
                  dlqs, deliveries, dlqLike));
            }
            Message<byte[]> m = consumer.receive(100, TimeUnit.MILLISECONDS);
            if (m != null) {
              deliveries++;
              String seq = m.getProperty("seq");
              if (seen.merge(seq, 1, Integer::sum) > a.maxRedeliver) {
                exhausted.add(seq);
              }
              if (retry) {
                consumer.reconsumeLater(m, 100, TimeUnit.MILLISECONDS);
              } else {
                consumer.negativeAcknowledge(m);
              }
              continue;
            }
            if (checker == null) {
              // Subscribe only once the client has made the DLQ, so that its shape is the client's.
              if (exhausted.size() == a.count && System.nanoTime() > nextLook) {
                nextLook = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
                boolean all = true;
                for (String t : dlqs) {
                  all &= admin.exists(t);
                }
                if (all) {
                  checker = client.newConsumer(Schema.BYTES).topics(dlqs)
                      .subscriptionName(a.subscription + "-dlq-check")
                      .subscriptionType(SubscriptionType.Exclusive)
                      .subscriptionInitialPosition(SubscriptionInitialPosition.Earliest)
                      .subscribe();
                }
              }
              continue;
            }
            Message<byte[]> d;
            while ((d = checker.receive(100, TimeUnit.MILLISECONDS)) != null) {
              if (deadSeqs.add(String.valueOf(d.getProperty("seq")))) {
                dead.add(deadLetter(d));
              } else {
                duplicates++;
              }
              checker.acknowledge(d);
            }
          }
        } finally {
          // Leave no subscription of ours on the DLQ: it holds what the client gave it (plus the
          // --dlq-initial-subscription, which is what keeps dead letters retained for good).
          if (checker != null) {
            try {
              checker.unsubscribe();
            } catch (Exception e) {
              checker.close();
            }
          }
        }
      }
    } finally {
      // Consumers and producers are closed by now; closing the client waits ~2 s for Netty's quiet
      // period, which the process exit makes unnecessary.
      client.closeAsync();
    }
    Map<String, Object> dlqPartitions = new LinkedHashMap<>();
    for (String t : dlqs) {
      dlqPartitions.put(t, admin.partitions(t));
    }
    Integer retryPartitions = retryTopic == null ? null : admin.partitions(retryTopic);

    Map<String, Object> out = new LinkedHashMap<>();
    out.put("topic", a.topic);
    out.put("partitions", a.partitions);
    out.put("subscription", a.subscription);
    out.put("mode", a.mode);
    out.put("max_redeliver_count", a.maxRedeliver);
    out.put("dlq", dlqs.size() == 1 ? dlqs.get(0) : null);
    out.put("dlq_topics", dlqs);
    out.put("dlq_partitions", dlqPartitions);
    out.put("retry_topic", retryTopic);
    out.put("retry_partitions", retryPartitions);
    out.put("deliveries", deliveries);
    out.put("duplicate_dead_letters", duplicates);
    out.put("elapsed_ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    out.put("messages", produced);
    out.put("dead_letters", dead);
    return json(out);
  }

  static void produce(PulsarClient client, Args a, List<Map<String, Object>> produced)
      throws Exception {
    try (Producer<byte[]> producer = client.newProducer(Schema.BYTES)
        .topic(a.topic)
        .enableBatching(a.batching)
        .batchingMaxPublishDelay(10, TimeUnit.MILLISECONDS)
        .blockIfQueueFull(true)
        .create()) {
      List<CompletableFuture<MessageId>> sends = new ArrayList<>();
      for (int i = 0; i < a.count; i++) {
        String key = "key-" + i;
        String value = "{\"id\":" + i + ",\"kind\":\"order\",\"amount\":" + (i * 10 + 5) + "}";
        Map<String, String> props = new TreeMap<>();
        props.put("source", "dlq-seed");
        props.put("seq", String.valueOf(i));
        long eventTime = EVENT_TIME_BASE + i * 1000L;
        sends.add(producer.newMessage().key(key).value(value.getBytes(StandardCharsets.UTF_8))
            .properties(props).eventTime(eventTime).sendAsync());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("key", key);
        m.put("value", value);
        m.put("properties", props);
        m.put("event_time", eventTime);
        produced.add(m);
      }
      producer.flush();
      for (int i = 0; i < a.count; i++) {
        MessageId id = sends.get(i).get(60, TimeUnit.SECONDS);
        Map<String, Object> m = produced.get(i);
        m.put("message_id", id.toString());
        m.put("partition", id instanceof MessageIdAdv adv ? adv.getPartitionIndex() : null);
      }
    }
  }

  static Map<String, Object> deadLetter(Message<byte[]> d) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("message_id", d.getMessageId().toString());
    m.put("topic", d.getTopicName());
    m.put("key", d.hasKey() ? d.getKey() : null);
    m.put("value", new String(d.getValue(), StandardCharsets.UTF_8));
    m.put("properties", new TreeMap<>(d.getProperties()));
    m.put("event_time", d.getEventTime() == 0 ? null : d.getEventTime());
    m.put("publish_time", d.getPublishTime());
    m.put("redelivery_count", d.getRedeliveryCount());
    m.put("producer_name", d.getProducerName());
    return m;
  }

  // ---------------------------------------------------------------- JSON out

  static String json(Object o) {
    StringBuilder b = new StringBuilder();
    write(b, o);
    return b.toString();
  }

  private static void write(StringBuilder b, Object o) {
    if (o == null) {
      b.append("null");
    } else if (o instanceof Number || o instanceof Boolean) {
      b.append(o);
    } else if (o instanceof Map<?, ?> map) {
      b.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : map.entrySet()) {
        if (!first) {
          b.append(',');
        }
        first = false;
        write(b, String.valueOf(e.getKey()));
        b.append(':');
        write(b, e.getValue());
      }
      b.append('}');
    } else if (o instanceof List<?> list) {
      b.append('[');
      for (int i = 0; i < list.size(); i++) {
        if (i > 0) {
          b.append(',');
        }
        write(b, list.get(i));
      }
      b.append(']');
    } else {
      String s = o.toString();
      b.append('"');
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        switch (c) {
          case '"' -> b.append("\\\"");
          case '\\' -> b.append("\\\\");
          case '\n' -> b.append("\\n");
          case '\r' -> b.append("\\r");
          case '\t' -> b.append("\\t");
          default -> {
            if (c < 0x20) {
              b.append(String.format("\\u%04x", (int) c));
            } else {
              b.append(c);
            }
          }
        }
      }
      b.append('"');
    }
  }
}
