package dev.meshguard.policy;

import java.util.regex.Pattern;

/** istiod's host name rules (RFC 1123 labels, wildcard prefixes), returning why a name fails. */
final class HostNames {
  private static final int MAX_LABEL = 63;
  private static final String LABEL = "[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?";
  private static final Pattern DNS1123_LABEL = Pattern.compile(LABEL);
  private static final Pattern WILDCARD_LABEL = Pattern.compile("\\*|(?:\\*|\\*-)?" + LABEL);

  private static final Pattern DOT = Pattern.compile("\\.");

  private HostNames() {}

  static boolean isDns1123Label(String value) {
    return value.length() <= MAX_LABEL && DNS1123_LABEL.matcher(value).matches();
  }

  /** A name whose first label may be a wildcard (`*.example.com`, `*`), or why it is not. */
  static String wildcardDomainError(String domain) {
    String precondition = preconditionError(domain);
    if (precondition != null) {
      return precondition;
    }
    int dot = domain.indexOf('.');
    String first = dot < 0 ? domain : domain.substring(0, dot);
    if (first.length() > MAX_LABEL || !WILDCARD_LABEL.matcher(first).matches()) {
      return "domain name "
          + Text.quote(domain)
          + " invalid (label "
          + Text.quote(first)
          + " invalid)";
    }
    return dot < 0 ? null : labelsError(domain.substring(dot + 1), domain);
  }

  /** A fully qualified name (no wildcard), or why it is not. */
  static String fqdnError(String name) {
    String precondition = preconditionError(name);
    return precondition != null ? precondition : labelsError(name, name);
  }

  private static String preconditionError(String name) {
    if (name.length() > 255) {
      return "domain name " + Text.quote(name) + " too long (max 255)";
    }
    if (name.isEmpty()) {
      return "empty domain name not allowed";
    }
    return null;
  }

  /** Checks the labels of {@code domain}; messages name {@code whole}, the name as written. */
  private static String labelsError(String domain, String whole) {
    String[] labels = DOT.split(domain, -1);
    String top = labels[labels.length - 1];
    if (!top.isEmpty() && top.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return "domain name "
          + Text.quote(whole)
          + " invalid (top level domain "
          + Text.quote(top)
          + " cannot be all-numeric)";
    }
    for (int i = 0; i < labels.length; i++) {
      if (i == labels.length - 1 && labels[i].isEmpty()) {
        return null; // a trailing dot, as in `istio.io.`
      }
      if (!isDns1123Label(labels[i])) {
        return "domain name "
            + Text.quote(whole)
            + " invalid (label "
            + Text.quote(labels[i])
            + " invalid)";
      }
    }
    return null;
  }
}
