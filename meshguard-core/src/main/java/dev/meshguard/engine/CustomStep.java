package dev.meshguard.engine;

import dev.meshguard.engine.authz.AuthzResult;
import dev.meshguard.jwt.JwtStatus;
import java.util.List;
import java.util.Map;

/**
 * The CUSTOM step, once a CUSTOM rule has matched: the provider's answer denies with its own
 * status, body and headers, or lets the request go on with its upstream headers set (the later
 * steps see them, as Envoy's filters after ext_authz see what it added). Without a provider in the
 * mesh config, or without an answer, the request is denied.
 */
final class CustomStep {
  private CustomStep() {}

  /**
   * @return the denial, or null when the request goes on to the JWT step
   */
  static Decision apply(
      CustomCheck check,
      AuthzResult matched,
      CustomAnswers answers,
      HeaderWorkingSet headers,
      Trace trace) {
    if (check.provider() == null) {
      return denied(403, matched.reason(), check, Engine.RBAC_DENIED_BODY, List.of(), trace);
    }
    CustomAnswer answer = answers.answer(check);
    if (answer == null) {
      return denied(403, matched.reason(), check, Engine.RBAC_DENIED_BODY, List.of(), trace);
    }
    String who = "ext_authz provider `" + check.providerName() + "`";
    if (!answer.allowed()) {
      if (trace.on()) {
        trace.add("authz: " + who + " denied: " + answer.reason());
      }
      return denied(
          answer.status(),
          who + " denied: " + answer.reason(),
          check,
          answer.body(),
          answer.responseHeaders(),
          trace);
    }
    // Envoy's order: removals, then sets (replacing), then appends
    for (String name : answer.upstreamRemovals()) {
      // Envoy removes neither pseudo-headers nor Host: the request would be malformed without them
      if (!name.startsWith(":") && !name.equalsIgnoreCase("host")) {
        headers.remove(name);
      }
    }
    for (Map.Entry<String, String> h : answer.upstreamHeaders()) {
      headers.set(h.getKey(), h.getValue());
    }
    for (Map.Entry<String, String> h : answer.upstreamAppends()) {
      headers.add(h.getKey(), h.getValue());
    }
    if (trace.on()) {
      trace.add(
          "authz: "
              + who
              + " allowed: "
              + answer.reason()
              + (answer.upstreamHeaders().isEmpty()
                  ? ""
                  : "; sets " + answer.upstreamHeaders().stream().map(Map.Entry::getKey).toList()));
    }
    return null;
  }

  /**
   * The request's `:path` after an allowing answer's query changes ({@link QueryRewrite}); the same
   * string when the answer changes none.
   */
  static String pathAfter(CustomCheck check, CustomAnswers answers, String pathWithQuery) {
    if (check.provider() == null) {
      return pathWithQuery;
    }
    CustomAnswer answer = answers.answer(check);
    if (answer == null || !answer.allowed() || !answer.rewritesQuery()) {
      return pathWithQuery;
    }
    return QueryRewrite.apply(pathWithQuery, answer.queryToSet(), answer.queryToRemove());
  }

  /** The allowing answer's headers for the client's response (none without an answer). */
  static List<Map.Entry<String, String>> responseHeadersOnAllow(
      CustomCheck check, CustomAnswers answers) {
    if (check.provider() == null) {
      return List.of();
    }
    CustomAnswer answer = answers.answer(check);
    return answer == null || !answer.allowed() ? List.of() : answer.responseHeaders();
  }

  private static Decision denied(
      int status,
      String reason,
      CustomCheck check,
      String body,
      List<Map.Entry<String, String>> responseHeaders,
      Trace trace) {
    // the trace is attached when the decision is returned (Engine.attempt)
    return new Decision(
        status,
        false,
        Decision.Outcome.DENIED_CUSTOM,
        reason,
        check.policy(),
        null,
        JwtStatus.JWT_MISSED,
        body,
        responseHeaders,
        null,
        List.of());
  }
}
