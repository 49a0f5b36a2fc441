package dev.meshguard.engine;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * An external authorizer for CUSTOM policies, from a MeshConfig `extensionProviders` entry
 * (`envoyExtAuthzHttp` or `envoyExtAuthzGrpc`), with Istio's defaults filled in. Fields that only
 * the HTTP protocol has are empty for gRPC.
 *
 * @param service the authorizer's host (`svc.ns.svc.cluster.local`, or `ns/host`)
 * @param timeout how long a check may take before it counts as an error (Istio: 10 minutes)
 * @param failOpen whether a failed or timed-out check lets the request through
 * @param statusOnError the client's status when the check fails and not failOpen (Istio: 403)
 * @param pathPrefix HTTP only: put in front of the original path in the check call
 * @param includeRequestHeadersInCheck HTTP only: header patterns (`abc`, `abc*`, `*abc`, `*`) sent
 *     to the authorizer besides the method, path, host and length Envoy always sends
 * @param includeAdditionalHeadersInCheck HTTP only: headers added to every check call
 * @param headersToUpstreamOnAllow HTTP only: patterns of the allow answer's headers that reach the
 *     upstream
 * @param headersToDownstreamOnAllow HTTP only: patterns of the allow answer's headers that reach
 *     the client
 * @param headersToDownstreamOnDeny HTTP only: patterns of the deny answer's headers that reach the
 *     client (empty: all of them, as Envoy's default)
 * @param requestBody how much of the body the check carries, or null for none
 */
public record ExtAuthzProvider(
    String name,
    Protocol protocol,
    String service,
    int port,
    Duration timeout,
    boolean failOpen,
    int statusOnError,
    String pathPrefix,
    List<String> includeRequestHeadersInCheck,
    Map<String, String> includeAdditionalHeadersInCheck,
    List<String> headersToUpstreamOnAllow,
    List<String> headersToDownstreamOnAllow,
    List<String> headersToDownstreamOnDeny,
    RequestBody requestBody) {

  /** Istio's default `timeout`. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(10);

  /** Istio's default `statusOnError`. */
  public static final int DEFAULT_STATUS_ON_ERROR = 403;

  /** How the authorizer is called. */
  public enum Protocol {
    /** `envoyExtAuthzHttp`: Envoy's `http_service`. */
    HTTP,
    /** `envoyExtAuthzGrpc`: `envoy.service.auth.v3.Authorization/Check`. */
    GRPC;

    /** The MeshConfig key that declares it. */
    public String meshConfigKey() {
      return this == HTTP ? "envoyExtAuthzHttp" : "envoyExtAuthzGrpc";
    }
  }

  /**
   * `includeRequestBodyInCheck`.
   *
   * @param maxRequestBytes the most body bytes buffered for the check
   * @param allowPartialMessage send the first maxRequestBytes of a longer body, instead of refusing
   *     it with 413
   * @param packAsBytes gRPC: the body as `raw_body` bytes, not as a UTF-8 string
   */
  public record RequestBody(
      int maxRequestBytes, boolean allowPartialMessage, boolean packAsBytes) {}

  public ExtAuthzProvider {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(protocol, "protocol");
    Objects.requireNonNull(service, "service");
    Objects.requireNonNull(timeout, "timeout");
    Objects.requireNonNull(pathPrefix, "pathPrefix");
    includeRequestHeadersInCheck = lower(includeRequestHeadersInCheck);
    includeAdditionalHeadersInCheck = Map.copyOf(includeAdditionalHeadersInCheck);
    headersToUpstreamOnAllow = lower(headersToUpstreamOnAllow);
    headersToDownstreamOnAllow = lower(headersToDownstreamOnAllow);
    headersToDownstreamOnDeny = lower(headersToDownstreamOnDeny);
  }

  /** Header names are case-insensitive; the patterns are kept in lower case to match them. */
  private static List<String> lower(List<String> patterns) {
    return patterns.stream().map(p -> p.toLowerCase(Locale.ROOT)).toList();
  }

  /**
   * Whether {@code header} (any case) matches one of {@code patterns}: exact, `prefix*`, `*suffix`,
   * or `*` for all — Istio's header list syntax.
   */
  public static boolean matches(List<String> patterns, String header) {
    String name = header.toLowerCase(Locale.ROOT);
    for (String p : patterns) {
      if (p.equals("*")
          || p.equals(name)
          || (p.endsWith("*") && name.startsWith(p.substring(0, p.length() - 1)))
          || (p.startsWith("*") && name.endsWith(p.substring(1)))) {
        return true;
      }
    }
    return false;
  }
}
