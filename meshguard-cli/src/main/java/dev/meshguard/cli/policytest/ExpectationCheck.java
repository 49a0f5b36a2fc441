package dev.meshguard.cli.policytest;

import dev.meshguard.cli.policytest.PolicyTestFile.Expectation;
import dev.meshguard.engine.Decision;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/** Compares a decision with what a case expects; each difference is one expected/actual pair. */
public final class ExpectationCheck {
  private ExpectationCheck() {}

  /**
   * One difference.
   *
   * @param expected how the expectation reads (`status: 403`, `reason contains: RBAC`)
   * @param actual what the decision gave, in the same terms
   */
  public record Mismatch(String expected, String actual) {}

  public static List<Mismatch> compare(Expectation e, Decision d) {
    List<Mismatch> out = new ArrayList<>();
    if (e.status() != null && e.status() != d.status()) {
      out.add(new Mismatch("status: " + e.status(), "status: " + d.status()));
    }
    if (e.allowed() != null && e.allowed() != d.allowed()) {
      out.add(new Mismatch("allowed: " + e.allowed(), "allowed: " + d.allowed()));
    }
    if (e.reason() != null
        && !contains(d.reason(), e.reason())
        && !contains(d.body(), e.reason())) {
      out.add(
          new Mismatch(
              "reason contains: " + e.reason(),
              "reason: " + d.reason() + (d.body() == null ? "" : " (body: " + d.body() + ")")));
    }
    if (e.policySet() && !Objects.equals(e.policy(), d.policy())) {
      out.add(new Mismatch("policy: " + orNone(e.policy()), "policy: " + orNone(d.policy())));
    }
    if (e.principalSet() && !Objects.equals(e.principal(), d.principal())) {
      out.add(
          new Mismatch(
              "principal: " + orNone(e.principal()), "principal: " + orNone(d.principal())));
    }
    if (e.body() != null && !e.body().equals(d.body())) {
      out.add(new Mismatch("body: " + e.body(), "body: " + orNone(d.body())));
    }
    if (e.responseHeaders() != null) {
      TreeMap<String, String> got = new TreeMap<>();
      d.responseHeaders().forEach(h -> got.put(h.getKey().toLowerCase(Locale.ROOT), h.getValue()));
      if (!lowerKeys(e.responseHeaders()).equals(got)) {
        out.add(
            new Mismatch(
                "responseHeaders: " + lowerKeys(e.responseHeaders()), "responseHeaders: " + got));
      }
    }
    Decision.UpstreamRewrite up = d.upstream();
    if (e.upstreamPath() != null && (up == null || !e.upstreamPath().equals(up.path()))) {
      out.add(
          new Mismatch(
              "upstreamPath: " + e.upstreamPath(),
              "upstreamPath: " + (up == null ? "(denied, nothing forwarded)" : up.path())));
    }
    if (e.upstreamRemoved() != null) {
      TreeSet<String> got = lower(up == null ? List.of() : up.removeHeaders());
      if (!lower(e.upstreamRemoved()).equals(got)) {
        out.add(
            new Mismatch(
                "upstreamRemoved: " + lower(e.upstreamRemoved()), "upstreamRemoved: " + got));
      }
    }
    if (e.upstreamAdded() != null) {
      TreeMap<String, String> got = new TreeMap<>();
      if (up != null) {
        up.addHeaders().forEach(h -> got.put(h.getKey().toLowerCase(Locale.ROOT), h.getValue()));
      }
      if (!lowerKeys(e.upstreamAdded()).equals(got)) {
        out.add(
            new Mismatch(
                "upstreamAdded: " + lowerKeys(e.upstreamAdded()), "upstreamAdded: " + got));
      }
    }
    for (String line : e.trace()) {
      if (d.trace().stream().noneMatch(l -> l.contains(line))) {
        out.add(new Mismatch("trace contains: " + line, "no such line (the trace is below)"));
      }
    }
    return out;
  }

  private static boolean contains(String text, String part) {
    return text != null && text.contains(part);
  }

  private static String orNone(String s) {
    return s == null ? "null" : s;
  }

  private static TreeSet<String> lower(Collection<String> names) {
    TreeSet<String> out = new TreeSet<>();
    names.forEach(n -> out.add(n.toLowerCase(Locale.ROOT)));
    return out;
  }

  private static TreeMap<String, String> lowerKeys(Map<String, String> map) {
    TreeMap<String, String> out = new TreeMap<>();
    map.forEach((k, v) -> out.put(k.toLowerCase(Locale.ROOT), v));
    return out;
  }
}
