package dev.meshguard.engine.authz;

import java.util.ArrayList;
import java.util.List;

/**
 * A rule ready to evaluate: (any `from` entry, or no `from`) AND (any `to` entry, or no `to`) AND
 * every `when` condition. Each entry is a list of field matchers that must all hold. {@link
 * #matches} decides without building any text; {@link #firstMismatch} and {@link #explainMatch}
 * describe the same evaluation for `check --explain`.
 *
 * @param keys what a request must have for this rule to possibly match, for the index
 */
record CompiledRule(
    int index,
    List<List<Matcher>> from,
    List<List<Matcher>> to,
    List<Matcher> when,
    RuleKeys keys) {

  CompiledRule {
    from = from == null ? null : from.stream().map(List::copyOf).toList();
    to = to == null ? null : to.stream().map(List::copyOf).toList();
    when = List.copyOf(when);
  }

  CompiledRule(int index, List<List<Matcher>> from, List<List<Matcher>> to, List<Matcher> when) {
    this(index, from, to, when, RuleKeys.NONE);
  }

  boolean matches(AuthzRequest request) {
    return anyEntryMatches(from, request)
        && anyEntryMatches(to, request)
        && allMatch(when, request);
  }

  private static boolean anyEntryMatches(List<List<Matcher>> entries, AuthzRequest request) {
    if (entries == null) {
      return true;
    }
    for (int i = 0; i < entries.size(); i++) {
      if (allMatch(entries.get(i), request)) {
        return true;
      }
    }
    return false;
  }

  private static boolean allMatch(List<Matcher> matchers, AuthzRequest request) {
    for (int i = 0; i < matchers.size(); i++) {
      if (!matchers.get(i).matches(request)) {
        return false;
      }
    }
    return true;
  }

  /** Null when the rule matches; otherwise the first condition that did not hold, in words. */
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
    List<String> out = new ArrayList<>();
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
      if (allMatch(entry, request)) {
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
