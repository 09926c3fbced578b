package dev.dlq.bench;

import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.pulsar.client.api.Message;
import org.apache.pulsar.client.api.MessageId;
import org.apache.pulsar.client.api.PulsarClient;
import org.apache.pulsar.client.api.Reader;

/**
 * The Apache Pulsar Java client reading a whole topic from the earliest message and writing one
 * JSON line per message to stdout (topic, message id, publish time, key, properties, payload as
 * text or base64), the content `dlq export` writes, for scripts/bench.sh.
 *
 * <pre>java -jar bench-peers.jar --url pulsar://127.0.0.1:6650 --topic T</pre>
 *
 * Prints the number of messages read on stderr. Exits 1 when the reader stops answering.
 */
public final class PulsarRead {
  public static void main(String[] argv) throws Exception {
    String url = null, topic = null;
    for (int i = 0; i < argv.length; i += 2) {
      switch (argv[i]) {
        case "--url" -> url = argv[i + 1];
        case "--topic" -> topic = argv[i + 1];
        default -> throw new IllegalArgumentException("unknown argument " + argv[i]);
      }
    }
    if (url == null || topic == null) {
      throw new IllegalArgumentException("usage: --url URL --topic TOPIC");
    }
    long n = 0;
    try (PulsarClient client = PulsarClient.builder().serviceUrl(url).build();
        Reader<byte[]> reader =
            client.newReader().topic(topic).startMessageId(MessageId.earliest)
                .receiverQueueSize(5000).create();
        BufferedWriter out =
            new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), 1 << 16)) {
      StringBuilder line = new StringBuilder(1024);
      while (reader.hasMessageAvailable()) {
        Message<byte[]> m = reader.readNext(30, TimeUnit.SECONDS);
        if (m == null) {
          System.err.println("no message within 30 s although the topic has more");
          System.exit(1);
        }
        line.setLength(0);
        line.append("{\"topic\":");
        string(line, topic);
        line.append(",\"message_id\":");
        string(line, m.getMessageId().toString());
        line.append(",\"timestamp\":").append(m.getPublishTime());
        line.append(",\"key\":");
        if (m.hasKey()) {
          raw(line, m.getKey().getBytes(StandardCharsets.UTF_8));
        } else {
          line.append("null");
        }
        line.append(",\"headers\":[");
        boolean first = true;
        for (Map.Entry<String, String> p : m.getProperties().entrySet()) {
          if (!first) line.append(',');
          first = false;
          line.append("{\"name\":");
          string(line, p.getKey());
          line.append(",\"value\":");
          raw(line, p.getValue().getBytes(StandardCharsets.UTF_8));
          line.append('}');
        }
        line.append("],\"payload\":");
        raw(line, m.getValue());
        line.append("}\n");
        out.append(line);
        n++;
      }
    }
    System.err.println(n + " messages");
  }

  /** {"text": …} for UTF-8, {"bytes": base64} otherwise, as peer_read.py and dlq write. */
  private static void raw(StringBuilder sb, byte[] b) {
    try {
      String s = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(b)).toString();
      sb.append("{\"text\":");
      string(sb, s);
      sb.append('}');
    } catch (CharacterCodingException e) {
      sb.append("{\"bytes\":\"").append(Base64.getEncoder().encodeToString(b)).append("\"}");
    }
  }

  private static void string(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
          else sb.append(c);
        }
      }
    }
    sb.append('"');
  }
}
