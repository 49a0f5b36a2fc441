package dev.meshguard.conformance;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What a request must give. Only the fields a case sets are compared; {@code policy} and {@code
 * principal} distinguish "not checked" ({@link #policySet} false) from "must be null".
 *
 * @param status the HTTP status (200 allowed, 400, 401, 403)
 * @param reason a substring of the decision's reason, or null
 * @param body the exact response body of a denial, or null
 * @param responseHeaders the exact set of extra response headers (names lower case), or null
 * @param upstreamPath the exact path forwarded upstream (normalised, query kept), or null
 * @param upstreamRemoved the exact set of header names removed before forwarding, or null
 * @param upstreamAdded the exact headers added before forwarding, or null
 * @param trace substrings each of which must occur in some line of the explanation
 * @param shadowSet whether the dry-run verdict is checked
 * @param shadow the dry-run verdict (Envoy's `shadow_engine_result`, `shadow_effective_policy_id`),
 *     null when no dry-run policy may have been evaluated
 */
public record Expectation(
    int status,
    String reason,
    boolean policySet,
    String policy,
    boolean principalSet,
    String principal,
    String body,
    Map<String, String> responseHeaders,
    String upstreamPath,
    List<String> upstreamRemoved,
    Map<String, String> upstreamAdded,
    List<String> trace,
    boolean shadowSet,
    Shadow shadow) {

  public Expectation {
    trace = List.copyOf(trace);
  }

  /**
   * A dry-run verdict.
   *
   * @param result `allowed` or `denied`
   * @param policy the matched rule's RBAC name, or null when no dry-run rule matched
   */
  public record Shadow(String result, String policy) {}

  /**
   * The observable outcome of one decision, from whichever front end produced it.
   *
   * @param upstreamPath null when denied
   */
  public record Observed(
      int status,
      String reason,
      String policy,
      String principal,
      String body,
      Map<String, String> responseHeaders,
      String upstreamPath,
      List<String> upstreamRemoved,
      Map<String, String> upstreamAdded,
      List<String> trace,
      Shadow shadow) {}

  /** This expectation with placeholders in its values resolved (e.g. `${payload:...}`). */
  public Expectation resolved() {
    return new Expectation(
        status,
        reason,
        policySet,
        policy,
        principalSet,
        principal,
        body,
        resolveValues(responseHeaders),
        Placeholders.resolve(upstreamPath),
        upstreamRemoved,
        resolveValues(upstreamAdded),
        trace,
        shadowSet,
        shadow);
  }

  private static Map<String, String> resolveValues(Map<String, String> map) {
    if (map == null) {
      return null;
    }
    Map<String, String> out = new LinkedHashMap<>();
    map.forEach((k, v) -> out.put(k, Placeholders.resolve(v)));
    return out;
  }

  /** The differences between this expectation and what was observed; empty when it holds. */
  public List<String> mismatches(Observed got) {
    List<String> out = new ArrayList<>();
    if (got.status() != status) {
      out.add("status: expected " + status + ", got " + got.status());
    }
    if (reason != null && (got.reason() == null || !got.reason().contains(reason))) {
      out.add("reason: expected to contain `" + reason + "`, got `" + got.reason() + "`");
    }
    if (policySet && !Objects.equals(policy, got.policy())) {
      out.add("policy: expected " + quote(policy) + ", got " + quote(got.policy()));
    }
    if (principalSet && !Objects.equals(principal, got.principal())) {
      out.add("principal: expected " + quote(principal) + ", got " + quote(got.principal()));
    }
    if (body != null && !body.equals(got.body())) {
      out.add("body: expected " + quote(body) + ", got " + quote(got.body()));
    }
    if (responseHeaders != null
        && !lowerKeys(responseHeaders).equals(lowerKeys(got.responseHeaders()))) {
      out.add(
          "responseHeaders: expected "
              + lowerKeys(responseHeaders)
              + ", got "
              + lowerKeys(got.responseHeaders()));
    }
    if (upstreamPath != null && !upstreamPath.equals(got.upstreamPath())) {
      out.add(
          "upstreamPath: expected " + quote(upstreamPath) + ", got " + quote(got.upstreamPath()));
    }
    if (upstreamRemoved != null && !lower(upstreamRemoved).equals(lower(got.upstreamRemoved()))) {
      out.add(
          "upstreamRemoved: expected "
              + lower(upstreamRemoved)
              + ", got "
              + lower(got.upstreamRemoved()));
    }
    if (upstreamAdded != null && !lowerKeys(upstreamAdded).equals(lowerKeys(got.upstreamAdded()))) {
      out.add(
          "upstreamAdded: expected "
              + lowerKeys(upstreamAdded)
              + ", got "
              + lowerKeys(got.upstreamAdded()));
    }
    if (shadowSet && !Objects.equals(shadow, got.shadow())) {
      out.add("shadow: expected " + shadow + ", got " + got.shadow());
    }
    for (String line : trace) {
      List<String> gotTrace = got.trace() == null ? List.of() : got.trace();
      if (gotTrace.stream().noneMatch(l -> l.contains(line))) {
        out.add(
            "trace: no line contains `"
                + line
                + "`; trace was:\n  "
                + String.join("\n  ", gotTrace));
      }
    }
    return out;
  }

  private static String quote(String s) {
    return s == null ? "null" : "`" + s + "`";
  }

  private static TreeSet<String> lower(Collection<String> names) {
    TreeSet<String> out = new TreeSet<>();
    if (names != null) {
      names.forEach(n -> out.add(n.toLowerCase(Locale.ROOT)));
    }
    return out;
  }

  private static TreeMap<String, String> lowerKeys(Map<String, String> map) {
    TreeMap<String, String> out = new TreeMap<>();
    if (map != null) {
      map.forEach((k, v) -> out.put(k.toLowerCase(Locale.ROOT), v));
    }
    return out;
  }
}
