package dev.meshguard.engine;

import dev.meshguard.engine.authn.Authenticator;
import dev.meshguard.engine.authn.JwtProvider;
import dev.meshguard.engine.authz.Authorizer;
import dev.meshguard.engine.authz.CompiledPolicy;
import dev.meshguard.engine.authz.PolicyCompiler;
import dev.meshguard.engine.authz.TrustDomainBundle;
import dev.meshguard.jwks.RemoteJwksOptions;
import dev.meshguard.jwks.ServiceRoute;
import dev.meshguard.jwt.JwkSet;
import dev.meshguard.jwt.JwksSource;
import dev.meshguard.jwt.JwtException;
import dev.meshguard.jwt.JwtStatus;
import dev.meshguard.policy.AuthorizationPolicy;
import dev.meshguard.policy.ConfigSet;
import dev.meshguard.policy.Finding;
import dev.meshguard.policy.JwtHeader;
import dev.meshguard.policy.JwtRule;
import dev.meshguard.policy.RequestAuthentication;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/** Compiles a configuration into the {@link PolicySnapshot} of one workload. */
public final class SnapshotCompiler {
  /** Claims Envoy always splits on spaces for authorization (Istio adds the rule's own list). */
  static final List<String> DEFAULT_SPACE_DELIMITED_CLAIMS = List.of("permission", "scope");

  private SnapshotCompiler() {}

  /**
   * Selects the policies that apply to {@code workload} and compiles them. Never throws on bad
   * input: problems become findings in the snapshot (check {@link PolicySnapshot#hasErrors()}).
   * Every document is compiled, not only the selected ones, so that `validate`, `check` and `serve`
   * report the same problems.
   */
  public static PolicySnapshot compile(
      ConfigSet config, MeshSettings mesh, Workload workload, JwksSources jwksSources) {
    List<Finding> findings = new ArrayList<>(config.findings());
    String root = mesh.rootNamespace();

    List<RuleRef> rules = new ArrayList<>();
    List<RequestAuthentication> selectedAuthn = new ArrayList<>();
    for (RequestAuthentication ra : config.requestAuthentications()) {
      boolean selected = PolicySelector.applies(ra, workload, root);
      if (selected) {
        selectedAuthn.add(ra);
      }
      for (int i = 0; i < ra.jwtRules().size(); i++) {
        JwtRule rule = ra.jwtRules().get(i);
        JwksSource keys = inlineKeys(ra, i, rule, findings);
        if (selected) {
          rules.add(new RuleRef(ra, i, rule, keys));
        }
      }
    }
    // istiod sorts the merged rules by issuer; the provider index follows that order.
    rules.sort(Comparator.comparing(r -> r.rule.issuerOrEmpty()));
    List<JwtProvider> providers = new ArrayList<>();
    for (int i = 0; i < rules.size(); i++) {
      RuleRef ref = rules.get(i);
      JwksSource keys = ref.inlineKeys;
      if (keys == null) {
        keys = jwksSources.remote(ref.rule, config);
      }
      providers.add(provider("origins-" + i, ref, keys));
    }

    TrustDomainBundle trustDomains =
        TrustDomainBundle.of(mesh.trustDomain(), mesh.trustDomainAliases());
    List<CompiledPolicy> policies = new ArrayList<>();
    List<AuthorizationPolicy> selectedAuthz = new ArrayList<>();
    for (AuthorizationPolicy policy : config.authorizationPolicies()) {
      CompiledPolicy compiled = PolicyCompiler.compile(policy, trustDomains, findings);
      if (compiled != null && PolicySelector.applies(policy, workload, root)) {
        policies.add(compiled);
        selectedAuthz.add(policy);
      }
    }
    return new PolicySnapshot(
        workload,
        mesh,
        findings,
        new Authenticator(providers),
        new Authorizer(policies, mesh.extensionProviders()),
        selectedAuthn,
        selectedAuthz,
        providerRoutes(config, mesh));
  }

  /** Each ext_authz provider's service, reached as a `jwksUri` host is. */
  private static Map<String, ServiceRoute> providerRoutes(ConfigSet config, MeshSettings mesh) {
    Map<String, ServiceRoute> routes = new java.util.HashMap<>();
    for (ExtensionProvider p : mesh.extensionProviders().values()) {
      if (p.isExtAuthz()) {
        routes.put(
            p.name(),
            ServiceRoute.resolve(
                config, RemoteJwksOptions.defaults(), p.extAuthz().service(), p.extAuthz().port()));
      }
    }
    return routes;
  }

  private record RuleRef(
      RequestAuthentication owner, int index, JwtRule rule, JwksSource inlineKeys) {}

  /**
   * The key source of an inline `jwks`, or null when the rule fetches its keys. A key set that is
   * not a well-formed JWK set (bad JSON, no `keys`, an unknown `kty`, a missing or non-string
   * member, bad base64) is an error, as istiod's webhook refuses it. A well-formed set in which
   * Envoy finds no usable key (an unsupported curve, RSA numbers that make no key) passes the
   * webhook; Envoy would then refuse its listener. meshguard warns and fails closed: every token
   * for that rule is rejected, requests without a token go on.
   */
  private static JwksSource inlineKeys(
      RequestAuthentication ra, int index, JwtRule rule, List<Finding> findings) {
    if (rule.jwks() == null || rule.jwks().isEmpty()) {
      return null;
    }
    String field = "spec.jwtRules[" + index + "].jwks";
    try {
      JwkSet keys = InlineKeySets.parse(rule.jwks());
      if (keys.hasPrivateOrSymmetricKeyMaterial()) {
        findings.add(
            Finding.warning(ra.origin(), field, "jwks contains private or symmetric key material"));
      }
      return JwksSource.fixed(keys, "inline jwks (" + keys.size() + " keys)");
    } catch (JwtException e) {
      JwtStatus status = e.status();
      boolean notAKeySet = MALFORMED_JWKS.contains(status);
      String message = "invalid jwks: " + status.message();
      if (notAKeySet) {
        findings.add(Finding.error(ra.origin(), field, message));
      } else {
        findings.add(
            Finding.warning(
                ra.origin(), field, message + "; every token for this rule will be rejected"));
      }
      return JwksSource.failing(
          status, message, "inline jwks (unusable: " + status.message() + ")");
    }
  }

  /** Parse failures that mean the text is not a well-formed JWK set (istiod refuses these). */
  private static final java.util.Set<JwtStatus> MALFORMED_JWKS =
      java.util.EnumSet.of(
          JwtStatus.JWKS_PARSE_ERROR,
          JwtStatus.JWKS_NO_KEYS,
          JwtStatus.JWKS_BAD_KEYS,
          JwtStatus.JWKS_MISSING_KTY,
          JwtStatus.JWKS_BAD_KTY,
          JwtStatus.JWKS_NOT_IMPLEMENTED_KTY,
          JwtStatus.JWKS_EC_X_OR_Y_BAD_BASE64,
          JwtStatus.JWKS_OCT_BAD_BASE64,
          JwtStatus.JWKS_OKP_X_BAD_BASE64,
          JwtStatus.JWKS_RSA_KEY_MISSING_N,
          JwtStatus.JWKS_RSA_KEY_BAD_N,
          JwtStatus.JWKS_RSA_KEY_MISSING_E,
          JwtStatus.JWKS_RSA_KEY_BAD_E,
          JwtStatus.JWKS_EC_KEY_BAD_CRV,
          JwtStatus.JWKS_EC_KEY_MISSING_X,
          JwtStatus.JWKS_EC_KEY_BAD_X,
          JwtStatus.JWKS_EC_KEY_MISSING_Y,
          JwtStatus.JWKS_EC_KEY_BAD_Y,
          JwtStatus.JWKS_HMAC_KEY_MISSING_K,
          JwtStatus.JWKS_HMAC_KEY_BAD_K,
          JwtStatus.JWKS_OKP_KEY_MISSING_CRV,
          JwtStatus.JWKS_OKP_KEY_BAD_CRV,
          JwtStatus.JWKS_OKP_KEY_MISSING_X,
          JwtStatus.JWKS_OKP_KEY_BAD_X);

  private static JwtProvider provider(String name, RuleRef ref, JwksSource keys) {
    JwtRule rule = ref.rule;
    boolean defaults =
        isEmpty(rule.fromHeaders()) && isEmpty(rule.fromParams()) && isEmpty(rule.fromCookies());
    List<JwtProvider.HeaderLocation> headers = new ArrayList<>();
    List<String> params = new ArrayList<>();
    List<String> cookies = new ArrayList<>();
    if (defaults) {
      headers.add(new JwtProvider.HeaderLocation("authorization", "Bearer "));
      params.add("access_token");
    } else {
      TreeSet<String> seen = new TreeSet<>();
      if (rule.fromHeaders() != null) {
        for (JwtHeader h : rule.fromHeaders()) {
          String lower = h.name().toLowerCase(Locale.ROOT);
          String prefix = h.prefix() == null ? "" : h.prefix();
          if (seen.add(lower + prefix)) {
            headers.add(new JwtProvider.HeaderLocation(lower, prefix));
          }
        }
      }
      // Envoy keeps header locations in a map keyed by name + prefix.
      headers.sort(Comparator.comparing(h -> h.name() + h.prefix()));
      if (rule.fromParams() != null) {
        params.addAll(new TreeSet<>(rule.fromParams()));
      }
      if (rule.fromCookies() != null) {
        cookies.addAll(new TreeSet<>(rule.fromCookies()));
      }
    }
    TreeSet<String> spaceDelimited = new TreeSet<>(DEFAULT_SPACE_DELIMITED_CLAIMS);
    spaceDelimited.addAll(rule.spaceDelimitedClaims());
    String source = ref.owner.metadata().qualifiedName() + " jwtRules[" + ref.index + "]";
    return new JwtProvider(
        name,
        source,
        rule.issuerOrEmpty(),
        rule.audiences(),
        headers,
        params,
        cookies,
        keys,
        rule.forwardOriginalToken(),
        rule.outputPayloadToHeader(),
        rule.outputClaimToHeaders(),
        spaceDelimited,
        rule.required());
  }

  private static boolean isEmpty(List<?> list) {
    return list == null || list.isEmpty();
  }
}
