package dev.meshguard.engine.authz;

import java.util.List;

/**
 * A rule ready to evaluate: (any `from` entry, or no `from`) AND (any `to` entry, or no `to`) AND
 * every `when` condition. Each entry is a list of field matchers that must all hold.
 */
record CompiledRule(
    int index, List<List<Matcher>> from, List<List<Matcher>> to, List<Matcher> when) {

  CompiledRule {
    from = from == null ? null : from.stream().map(List::copyOf).toList();
    to = to == null ? null : to.stream().map(List::copyOf).toList();
    when = List.copyOf(when);
  }

  boolean matches(AuthzRequest request) {
    return firstMismatch(request) == null;
  }

  /** Null when the rule matches; otherwise the first condition that did not hold. */
  String firstMismatch(AuthzRequest request) {
    String miss = anyEntry(from, request, "from");
    if (miss != null) {
      return miss;
    }
    miss = anyEntry(to, request, "to");
    if (miss != null) {
      return miss;
    }
    for (Matcher m : when) {
      if (!m.matches(request)) {
        return m.explain(request);
      }
    }
    return null;
  }

  /** For a rule that matched: every condition of the entries that matched, and why each held. */
  List<String> explainMatch(AuthzRequest request) {
    List<String> out = new java.util.ArrayList<>();
    if (from == null && to == null && when.isEmpty()) {
      out.add("an empty rule matches every request");
    }
    explainEntry(from, request, out);
    explainEntry(to, request, out);
    for (Matcher m : when) {
      out.add(m.explain(request));
    }
    return out;
  }

  private static void explainEntry(
      List<List<Matcher>> entries, AuthzRequest request, List<String> out) {
    if (entries == null) {
      return;
    }
    for (List<Matcher> entry : entries) {
      if (entry.stream().allMatch(m -> m.matches(request))) {
        entry.forEach(m -> out.add(m.explain(request)));
        return;
      }
    }
  }

  private static String anyEntry(List<List<Matcher>> entries, AuthzRequest request, String name) {
    if (entries == null) {
      return null;
    }
    String firstMiss = null;
    for (List<Matcher> entry : entries) {
      String miss = null;
      for (Matcher m : entry) {
        if (!m.matches(request)) {
          miss = m.explain(request);
          break;
        }
      }
      if (miss == null) {
        return null;
      }
      if (firstMiss == null) {
        firstMiss = miss;
      }
    }
    return firstMiss == null ? name + ": no entries" : firstMiss;
  }
}
