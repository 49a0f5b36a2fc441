package dev.meshguard.proxy;

import dev.meshguard.engine.CheckRequest;
import dev.meshguard.engine.Decision;
import dev.meshguard.engine.PolicySnapshot;
import dev.meshguard.jwt.JwtStatus;
import dev.meshguard.testing.TestSnapshots;
import java.util.List;
import java.util.Map;

/**
 * Fixed decisions for testing the proxy mechanics without policy semantics: the path prefix says
 * what the "engine" answers.
 */
final class TestDecisions {
  private TestDecisions() {}

  static PolicySnapshot emptySnapshot() {
    return TestSnapshots.empty();
  }

  static Decision allow(String path) {
    return new Decision(
        200,
        true,
        Decision.Outcome.ALLOWED,
        "allowed",
        null,
        null,
        JwtStatus.JWT_MISSED,
        null,
        List.of(),
        new Decision.UpstreamRewrite(path, List.of(), List.of()),
        List.of());
  }

  /**
   * `/deny…` → 403 RBAC; `/jwt…` → 401 with www-authenticate; `/rewrite…` → forwarded as
   * `/rewritten` without `x-remove-me`, with `x-added: yes`; `/bad…` → 400; else allowed with the
   * path without its fragment.
   */
  static Decision byPath(PolicySnapshot snapshot, CheckRequest r) {
    String path = r.rawPath();
    int hash = path.indexOf('#');
    String clean = hash >= 0 ? path.substring(0, hash) : path;
    if (path.startsWith("/deny")) {
      return new Decision(
          403,
          false,
          Decision.Outcome.DENIED_AUTHORIZATION,
          "denied by test",
          "ns/deny-policy",
          null,
          JwtStatus.JWT_MISSED,
          "RBAC: access denied",
          List.of(),
          null,
          List.of());
    }
    if (path.startsWith("/jwt")) {
      return new Decision(
          401,
          false,
          Decision.Outcome.DENIED_AUTHENTICATION,
          "Jwt is expired",
          null,
          null,
          JwtStatus.JWT_EXPIRED,
          "Jwt is expired",
          List.of(
              Map.entry(
                  "www-authenticate",
                  "Bearer realm=\"http://" + r.host() + path + "\", error=\"invalid_token\"")),
          null,
          List.of());
    }
    if (path.startsWith("/bad")) {
      return new Decision(
          400,
          false,
          Decision.Outcome.BAD_REQUEST,
          "bad path",
          null,
          null,
          JwtStatus.JWT_MISSED,
          "Bad Request",
          List.of(),
          null,
          List.of());
    }
    if (path.startsWith("/rewrite")) {
      return new Decision(
          200,
          true,
          Decision.Outcome.ALLOWED,
          "allowed",
          "ns/allow",
          "iss/sub",
          JwtStatus.OK,
          null,
          List.of(),
          new Decision.UpstreamRewrite(
              "/rewritten?q=1", List.of("x-remove-me"), List.of(Map.entry("x-added", "yes"))),
          List.of());
    }
    return allow(clean);
  }
}
