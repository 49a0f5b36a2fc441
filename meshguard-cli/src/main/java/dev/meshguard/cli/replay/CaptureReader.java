package dev.meshguard.cli.replay;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meshguard.runtime.CaptureFormat;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads a `serve --capture` file ({@link CaptureFormat}). */
public final class CaptureReader {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * A capture file.
   *
   * @param namespace the workload `serve` ran for, or null when the file does not say
   * @param labels its labels
   * @param rawTokens whether tokens were kept as sent (`--capture-tokens`)
   */
  public record Capture(
      String namespace,
      Map<String, String> labels,
      boolean rawTokens,
      List<CapturedRequest> requests) {}

  private CaptureReader() {}

  /**
   * @throws IllegalArgumentException when the file is not a capture (the message says where)
   */
  public static Capture read(Path file) throws IOException {
    List<CapturedRequest> requests = new ArrayList<>();
    String namespace = null;
    Map<String, String> labels = new LinkedHashMap<>();
    Boolean raw = null;
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String text;
      int number = 0;
      while ((text = in.readLine()) != null) {
        number++;
        if (text.isBlank()) {
          continue;
        }
        JsonNode line;
        try {
          line = JSON.readTree(text);
        } catch (JsonProcessingException e) {
          throw new IllegalArgumentException(
              file
                  + ":"
                  + number
                  + ": not JSON (a truncated last line?): "
                  + e.getOriginalMessage());
        }
        if (line.has("capture")) {
          if (line.path("capture").asInt() != CaptureFormat.VERSION) {
            throw new IllegalArgumentException(
                file
                    + ":"
                    + number
                    + ": capture format "
                    + line.path("capture")
                    + " is not supported");
          }
          raw = line.path("tokens").asText().equals("raw");
          JsonNode facts = line.path("facts");
          namespace = facts.hasNonNull("namespace") ? facts.path("namespace").asText() : null;
          facts
              .path("labels")
              .fields()
              .forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
          continue;
        }
        if (raw == null) {
          throw new IllegalArgumentException(
              file + ":" + number + ": not a capture file (no `capture` line first)");
        }
        requests.add(request(number, line));
      }
    }
    if (raw == null) {
      throw new IllegalArgumentException(file + ": empty, not a capture file");
    }
    return new Capture(namespace, labels, raw, requests);
  }

  private static CapturedRequest request(int number, JsonNode l) {
    List<Map.Entry<String, String>> headers = new ArrayList<>();
    for (JsonNode h : l.path("headers")) {
      headers.add(Map.entry(h.path(0).asText(), h.path(1).asText()));
    }
    List<JsonNode> tokens = new ArrayList<>();
    l.path("tokens").forEach(tokens::add);
    JsonNode d = l.path("decision");
    return new CapturedRequest(
        number,
        l.path("time").asLong(),
        l.path("method").asText(),
        l.path("scheme").asText("http"),
        text(l, "host"),
        l.path("path").asText(),
        l.path("port").asInt(),
        headers,
        text(l, "sourceIp"),
        text(l, "remoteIp"),
        text(l, "sourcePrincipal"),
        text(l, "destinationIp"),
        text(l, "sni"),
        tokens,
        new CapturedRequest.Recorded(
            d.path("status").asInt(),
            d.path("allowed").asBoolean(),
            text(d, "outcome"),
            text(d, "reason"),
            text(d, "policy"),
            text(d, "principal"),
            text(d, "jwt")));
  }

  private static String text(JsonNode node, String field) {
    JsonNode v = node.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }
}
