package dev.meshguard.conformance;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One request of a case, with placeholders unresolved. Absent optional fields are null (0 for the
 * port, meaning unknown).
 *
 * @param headers `Name: value` lines, in order
 * @param now the decision time: absolute epoch seconds, or `+N`/`-N` relative to {@link
 *     Placeholders#BASE_TIME}; null means the base time
 * @param numTrustedProxies x-forwarded-for hops trusted for `remote.ip` (0: the peer)
 */
public record CorpusRequest(
    String name,
    String method,
    String scheme,
    String path,
    String host,
    int port,
    List<String> headers,
    String sourceIp,
    int numTrustedProxies,
    String sourcePrincipal,
    String destinationIp,
    String sni,
    String now,
    Expectation expect) {

  public CorpusRequest {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(scheme, "scheme");
    Objects.requireNonNull(path, "path");
    headers = List.copyOf(headers);
    Objects.requireNonNull(expect, "expect");
  }

  /**
   * The headers as (name, value) pairs: split at the first `:`, both sides trimmed (as `check
   * --header` reads them).
   */
  public List<Map.Entry<String, String>> headerEntries() {
    List<Map.Entry<String, String>> out = new ArrayList<>(headers.size());
    for (String line : headers) {
      int colon = line.indexOf(':');
      out.add(Map.entry(line.substring(0, colon).trim(), line.substring(colon + 1).trim()));
    }
    return out;
  }

  /** {@link #headerEntries()} with placeholders (tokens) resolved. */
  public List<Map.Entry<String, String>> resolvedHeaderEntries() {
    List<Map.Entry<String, String>> out = new ArrayList<>(headers.size());
    for (Map.Entry<String, String> e : headerEntries()) {
      out.add(Map.entry(e.getKey(), Placeholders.resolve(e.getValue())));
    }
    return out;
  }

  /** The decision time in epoch seconds. */
  public long nowEpochSeconds() {
    return Placeholders.time(now);
  }
}
