package dev.meshguard.policy;

import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The value checks istiod applies to AuthorizationPolicy fields and `when` conditions (Istio's
 * `pkg/config/security`), reported per value with its field path. Messages follow istiod's.
 */
final class SecurityValueChecks {
  static final String MATCH_ONE_TEMPLATE = "{*}";
  static final String MATCH_ANY_TEMPLATE = "{**}";

  /** RFC 3986 pchar, the only literal segments allowed next to a path template. */
  private static final Pattern VALID_LITERAL = Pattern.compile("^[a-zA-Z0-9-._~%!$&'()+,;:@=]+$");

  private static final int MAX_SERVICE_ACCOUNTS = 16;
  private static final int MAX_SERVICE_ACCOUNT_LENGTH = 320;

  /** `when` keys matched exactly that take any value. */
  private static final Set<String> PLAIN_KEYS =
      Set.of(
          "source.namespace",
          "source.principal",
          "request.auth.principal",
          "request.auth.audiences",
          "request.auth.presenter",
          "connection.sni");

  private SecurityValueChecks() {}

  /** Every value must be non-empty. Returns true when all are. */
  static boolean checkNotEmpty(List<String> values, String path, FindingSink sink) {
    boolean ok = true;
    for (int i = 0; i < values.size(); i++) {
      if (values.get(i).isEmpty()) {
        sink.error(Paths.index(path, i), "empty value not allowed");
        ok = false;
      }
    }
    return ok;
  }

  /** IPs or CIDR ranges (`ipBlocks`, `source.ip`, ...). */
  static void checkIps(List<String> values, String path, FindingSink sink) {
    for (int i = 0; i < values.size(); i++) {
      String value = values.get(i);
      if (value.isEmpty()) {
        sink.error(Paths.index(path, i), "empty value not allowed");
      } else if (value.contains("/")) {
        String why = IpAddresses.prefixError(value);
        if (why != null) {
          sink.error(Paths.index(path, i), "bad CIDR range " + Text.quote(value) + ": " + why);
        }
      } else if (IpAddresses.parseAddress(value) == null) {
        sink.error(Paths.index(path, i), "bad IP address " + Text.quote(value));
      }
    }
  }

  /** Ports: decimal integers 0-65535 (Go `strconv.ParseUint(s, 10, 32)`, then a range check). */
  static void checkPorts(List<String> values, String path, FindingSink sink) {
    for (int i = 0; i < values.size(); i++) {
      String value = values.get(i);
      if (value.isEmpty()) {
        sink.error(Paths.index(path, i), "empty value not allowed");
      } else if (!isPort(value)) {
        sink.error(
            Paths.index(path, i),
            "bad port " + Text.quote(value) + ": must be an integer between 0 and 65535");
      }
    }
  }

  static boolean isPort(String value) {
    if (value.isEmpty()
        || value.length() > 10
        || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return false;
    }
    return Long.parseLong(value) <= 65535;
  }

  /** `serviceAccounts`: at most 16, `sa` or `ns/sa`, no wildcard, at most 320 characters. */
  static void checkServiceAccounts(List<String> values, String path, FindingSink sink) {
    if (values.size() > MAX_SERVICE_ACCOUNTS) {
      sink.error(path, "may not have more than " + MAX_SERVICE_ACCOUNTS + " values");
    }
    for (int i = 0; i < values.size(); i++) {
      String value = values.get(i);
      String where = Paths.index(path, i);
      String expected = "expected format 'serviceAccount' or 'namespace/serviceAccount', found ";
      int slashes = (int) value.chars().filter(c -> c == '/').count();
      if (value.isEmpty()) {
        sink.error(where, "empty value not allowed");
      } else if (value.contains("*")) {
        sink.error(where, "wildcard not allowed, found " + Text.quote(value));
      } else if (slashes > 1) {
        sink.error(where, expected + Text.quote(value));
      } else if (value.length() > MAX_SERVICE_ACCOUNT_LENGTH) {
        sink.error(where, "value cannot exceed " + MAX_SERVICE_ACCOUNT_LENGTH + " characters");
      } else if (value.startsWith("/")) {
        sink.error(where, expected + "empty namespace " + Text.quote(value));
      } else if (value.endsWith("/")) {
        sink.error(where, expected + "empty serviceAccount " + Text.quote(value));
      }
    }
  }

  /** Values with at most one `*`, at the start or the end (`source.trustDomain`). */
  static void checkWildcards(List<String> values, String path, FindingSink sink) {
    for (int i = 0; i < values.size(); i++) {
      String error = wildcardError(values.get(i));
      if (error != null) {
        sink.error(Paths.index(path, i), error);
      }
    }
  }

  private static String wildcardError(String value) {
    if (value.isEmpty()) {
      return "empty value not allowed";
    }
    long count = value.chars().filter(c -> c == '*').count();
    if (count > 1) {
      return "at most one wildcard is allowed, found " + Text.quote(value);
    }
    if (count == 1 && !value.startsWith("*") && !value.endsWith("*")) {
      return "wildcard is only allowed at the start or end, found " + Text.quote(value);
    }
    return null;
  }

  /** `trustDomains`: wildcard rules, and no `/`. */
  static void checkTrustDomains(List<String> values, String path, FindingSink sink) {
    for (int i = 0; i < values.size(); i++) {
      String value = values.get(i);
      String error = wildcardError(value);
      if (error == null && value.contains("/")) {
        error = "trust domain must not contain '/', found " + Text.quote(value);
      }
      if (error != null) {
        sink.error(Paths.index(path, i), error);
      }
    }
  }

  static boolean containsPathTemplate(String path) {
    return path.contains(MATCH_ONE_TEMPLATE) || path.contains(MATCH_ANY_TEMPLATE);
  }

  /**
   * Path templates: `{*}` and `{**}` are whole segments, `{**}` is the last operator, no other
   * braces, and next to a template every segment is a non-empty pchar literal.
   */
  static void checkPathTemplates(List<String> values, String path, FindingSink sink) {
    for (int i = 0; i < values.size(); i++) {
      String error = pathTemplateError(values.get(i));
      if (error != null) {
        sink.error(Paths.index(path, i), error);
      }
    }
  }

  private static String pathTemplateError(String value) {
    boolean template = containsPathTemplate(value);
    String trimmed = trimSlashes(value);
    boolean foundMatchAny = false;
    String prefix = "invalid or unsupported path " + Text.quote(value) + ": ";
    for (String segment : Pattern.compile("/", Pattern.LITERAL).split(trimmed, -1)) {
      boolean isOperator = segment.equals(MATCH_ONE_TEMPLATE) || segment.equals(MATCH_ANY_TEMPLATE);
      if (isOperator && foundMatchAny) {
        return prefix + "{**} is not the last operator";
      }
      if (isOperator) {
        foundMatchAny = segment.equals(MATCH_ANY_TEMPLATE);
        continue;
      }
      if (segment.indexOf('{') >= 0 || segment.indexOf('}') >= 0) {
        return prefix + "contains '{' or '}' beyond a supported path template";
      }
      if (template && !VALID_LITERAL.matcher(segment).matches()) {
        return prefix + "contains segment " + Text.quote(segment) + " with invalid string literal";
      }
    }
    return null;
  }

  /** Go `strings.Trim(s, "/")`: every leading and trailing slash. */
  private static String trimSlashes(String value) {
    int start = 0;
    int end = value.length();
    while (start < end && value.charAt(start) == '/') {
      start++;
    }
    while (end > start && value.charAt(end - 1) == '/') {
      end--;
    }
    return value.substring(start, end);
  }

  /** Why istiod refuses a `when` key, or null when it is supported. */
  static String attributeKeyError(String key) {
    if (key.startsWith("request.headers")
        || key.startsWith("request.auth.claims")
        || key.startsWith("experimental.envoy.filters.")) {
      return mapKeyError(key);
    }
    if (PLAIN_KEYS.contains(key) || isIpKey(key) || isPortKey(key)) {
      return null;
    }
    if (key.equals("source.serviceAccount") || key.equals("source.trustDomain")) {
      return null;
    }
    if (key.equals("destination.namespace")) {
      return "attribute " + Text.quote(key) + " is replaced by the metadata.namespace";
    }
    if (key.startsWith("destination.labels")) {
      return "attribute " + Text.quote(key) + " is replaced by the workload selector";
    }
    if (key.equals("destination.name") || key.equals("destination.user")) {
      return "deprecated attribute " + Text.quote(key) + ": only supported in v1alpha1";
    }
    return "unknown attribute: " + Text.quote(key);
  }

  /** `a[b]`: a non-empty name before `[`, something inside, `]` at the end. */
  private static String mapKeyError(String key) {
    int open = key.indexOf('[');
    if (key.endsWith("]") && open > 0 && open < key.length() - 2) {
      return null;
    }
    return "bad key " + Text.quote(key) + ": should have format a[b]";
  }

  static boolean isIpKey(String key) {
    return key.equals("source.ip") || key.equals("remote.ip") || key.equals("destination.ip");
  }

  static boolean isPortKey(String key) {
    return key.equals("destination.port");
  }

  /** The per-value checks of a supported `when` key ({@code values} or {@code notValues}). */
  static void checkAttributeValues(String key, List<String> values, String path, FindingSink sink) {
    if (isIpKey(key)) {
      checkIps(values, path, sink);
    } else if (isPortKey(key)) {
      checkPorts(values, path, sink);
    } else if (key.equals("source.serviceAccount")) {
      checkServiceAccounts(values, path, sink);
    } else if (key.equals("source.trustDomain")) {
      checkWildcards(values, path, sink);
    } else {
      checkNotEmpty(values, path, sink);
    }
  }
}
