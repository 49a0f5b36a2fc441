package dev.meshguard.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The configuration of the waypoint tests: a REQUIRED JWT rule, an enforced DENY and a dry-run
 * DENY, all attached to Service `httpbin` of namespace `foo` by `targetRefs`, and a selector policy
 * that denies everything (a waypoint never uses selectors).
 */
final class WaypointConfig {
  static final String NAMESPACE = "foo";
  static final String SERVICE = "httpbin";
  static final String DRY_RUN_RULE = "ns[foo]-policy[dry-deny-audit]-rule[0]";

  private WaypointConfig() {}

  static Path write(Path dir, TestTokens tokens) throws IOException {
    Path config = dir.resolve("waypoint.yaml");
    Files.writeString(
        config,
        """
        apiVersion: security.istio.io/v1
        kind: RequestAuthentication
        metadata: {name: svc-jwt, namespace: foo}
        spec:
          targetRefs: [{group: "", kind: Service, name: httpbin}]
          jwtRules:
          - issuer: %s
            jwks: '%s'
            presence: REQUIRED
        ---
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: selector-deny-all, namespace: foo}
        spec:
          selector: {matchLabels: {app: httpbin}}
          action: DENY
          rules: [{}]
        ---
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: svc-deny-blocked, namespace: foo}
        spec:
          targetRefs: [{group: "", kind: Service, name: httpbin}]
          action: DENY
          rules: [{to: [{operation: {paths: [/blocked]}}]}]
        ---
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata:
          name: dry-deny-audit
          namespace: foo
          annotations: {istio.io/dry-run: "true"}
        spec:
          targetRefs: [{group: "", kind: Service, name: httpbin}]
          action: DENY
          rules: [{to: [{operation: {paths: [/audit-me]}}]}]
        """
            .formatted(TestTokens.ISSUER, tokens.jwks()));
    return config;
  }
}
