package dev.meshguard.cli.replay;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;

/**
 * One request of a capture file, as `serve` decided it.
 *
 * @param line the 1-based line in the file, for examples in the report
 * @param time the decision time, epoch seconds
 * @param headers (name, value) pairs; values may hold token markers
 * @param tokens the tokens the markers stand for (claims-only captures), empty otherwise
 */
public record CapturedRequest(
    int line,
    long time,
    String method,
    String scheme,
    String host,
    String path,
    int port,
    List<Map.Entry<String, String>> headers,
    String sourceIp,
    String remoteIp,
    String sourcePrincipal,
    String destinationIp,
    String sni,
    List<JsonNode> tokens,
    Recorded decision) {

  public CapturedRequest {
    headers = List.copyOf(headers);
    tokens = List.copyOf(tokens);
  }

  /** The decision `serve` made. */
  public record Recorded(
      int status,
      boolean allowed,
      String outcome,
      String reason,
      String policy,
      String principal,
      String jwt) {}
}
