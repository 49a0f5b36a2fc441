package dev.meshguard.bench;

import java.util.List;
import java.util.Map;

/**
 * The configuration of `../shared/bench/scale.py`: for one workload (namespace `foo`,
 * `app=httpbin`) a RequestAuthentication with an inline key and N ALLOW policies, one per tenant
 * {@code tI}: GET on `/svcI/*`, request principal `ISSUER/tI`, header `x-tenant: tI`.
 */
final class TenantPolicies {
  static final String NAMESPACE = "foo";
  static final Map<String, String> LABELS = Map.of("app", "httpbin");
  static final String ISSUER = "scale@meshguard.test";

  private TenantPolicies() {}

  /** The YAML of {@code n} tenant policies after a RequestAuthentication trusting {@code jwks}. */
  static String yaml(int n, String jwks) {
    StringBuilder out = new StringBuilder(n * 420 + 512);
    out.append(
        """
        apiVersion: security.istio.io/v1
        kind: RequestAuthentication
        metadata: {name: scale-jwt, namespace: foo}
        spec:
          selector: {matchLabels: {app: httpbin}}
          jwtRules:
          - issuer: "%s"
            jwks: '%s'
        """
            .formatted(ISSUER, jwks));
    for (int i = 0; i < n; i++) {
      out.append("---\n").append(policy(i));
    }
    return out.toString();
  }

  static String policy(int i) {
    return """
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: tenant-%1$d, namespace: foo}
        spec:
          selector: {matchLabels: {app: httpbin}}
          action: ALLOW
          rules:
          - from:
            - source: {requestPrincipals: ["%2$s/t%1$d"]}
            to:
            - operation: {methods: [GET], paths: ["/svc%1$d/*"]}
            when:
            - key: "request.headers[x-tenant]"
              values: ["t%1$d"]
        """
        .formatted(i, ISSUER);
  }

  /** The header pairs a request of tenant {@code i} carries besides its token. */
  static List<String> headers(int i) {
    return List.of("x-tenant", "t" + i);
  }
}
