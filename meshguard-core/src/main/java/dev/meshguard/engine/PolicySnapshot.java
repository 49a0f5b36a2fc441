package dev.meshguard.engine;

import dev.meshguard.engine.authn.Authenticator;
import dev.meshguard.engine.authn.JwtProvider;
import dev.meshguard.engine.authz.Authorizer;
import dev.meshguard.engine.authz.CompiledPolicy;
import dev.meshguard.jwks.ServiceRoute;
import dev.meshguard.policy.AuthorizationPolicy;
import dev.meshguard.policy.AuthorizationPolicy.Action;
import dev.meshguard.policy.Finding;
import dev.meshguard.policy.RequestAuthentication;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything enforced for one workload, compiled once from a configuration: immutable, read by the
 * hot path without locks; a reload builds a new one and swaps it in.
 */
public final class PolicySnapshot {
  private final Workload workload;
  private final MeshSettings mesh;
  private final List<Finding> findings;
  private final Authenticator authenticator;
  private final Authorizer authorizer;
  private final List<RequestAuthentication> requestAuthentications;
  private final List<AuthorizationPolicy> authorizationPolicies;
  private final Map<String, ServiceRoute> providerRoutes;
  private final boolean customChecksMayCarryBody;

  PolicySnapshot(
      Workload workload,
      MeshSettings mesh,
      List<Finding> findings,
      Authenticator authenticator,
      Authorizer authorizer,
      List<RequestAuthentication> requestAuthentications,
      List<AuthorizationPolicy> authorizationPolicies,
      Map<String, ServiceRoute> providerRoutes) {
    this.workload = workload;
    this.mesh = mesh;
    this.findings = List.copyOf(findings);
    this.authenticator = authenticator;
    this.authorizer = authorizer;
    this.requestAuthentications = List.copyOf(requestAuthentications);
    this.authorizationPolicies = List.copyOf(authorizationPolicies);
    this.providerRoutes = Map.copyOf(providerRoutes);
    this.customChecksMayCarryBody = anyCustomProviderWantsBody(authorizer, mesh);
  }

  private static boolean anyCustomProviderWantsBody(Authorizer authorizer, MeshSettings mesh) {
    for (CompiledPolicy p : authorizer.policies(Action.CUSTOM)) {
      ExtensionProvider provider =
          p.provider() == null ? null : mesh.extensionProviders().get(p.provider());
      if (provider != null
          && provider.extAuthz() != null
          && provider.extAuthz().requestBody() != null) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether some CUSTOM policy's provider wants the request body (`includeRequestBodyInCheck`):
   * computed once, so that a front end asks {@link Engine#customCheck} (and buffers a body) only
   * where it can matter, and every other request streams as before.
   */
  public boolean customChecksMayCarryBody() {
    return customChecksMayCarryBody;
  }

  /**
   * How the ext_authz provider {@code name} of the mesh config is reached with this configuration's
   * ServiceEntries and DestinationRules, or null when there is no such provider.
   */
  public ServiceRoute providerRoute(String name) {
    return providerRoutes.get(name);
  }

  public Workload workload() {
    return workload;
  }

  public MeshSettings mesh() {
    return mesh;
  }

  /** Findings of reading and compiling the configuration (errors and warnings). */
  public List<Finding> findings() {
    return findings;
  }

  public boolean hasErrors() {
    return findings.stream().anyMatch(Finding::isError);
  }

  Authenticator authenticator() {
    return authenticator;
  }

  Authorizer authorizer() {
    return authorizer;
  }

  /** The RequestAuthentications that apply to this workload. */
  public List<RequestAuthentication> requestAuthentications() {
    return requestAuthentications;
  }

  /** The AuthorizationPolicies that apply to this workload. */
  public List<AuthorizationPolicy> authorizationPolicies() {
    return authorizationPolicies;
  }

  /** A JSON-friendly description of what is in force, for `/config_dump` and `check --explain`. */
  public Map<String, Object> dump() {
    Map<String, Object> out = new LinkedHashMap<>();
    Map<String, Object> identity = new LinkedHashMap<>();
    identity.put("namespace", workload.namespace());
    identity.put("labels", workload.labels());
    if (workload.service() != null) {
      identity.put("service", workload.service().toString());
    }
    out.put("workload", identity);
    out.put("rootNamespace", mesh.rootNamespace());
    out.put("pathNormalization", mesh.pathNormalization().name());
    List<Object> providers = new ArrayList<>();
    for (JwtProvider p : authenticator.providers()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", p.name());
      m.put("source", p.source());
      m.put("issuer", p.issuer());
      m.put("audiences", p.audiences());
      m.put("presence", p.required() ? "REQUIRED" : "OPTIONAL");
      m.put("keys", p.keys().description());
      List<String> locations = new ArrayList<>();
      p.headerLocations()
          .forEach(h -> locations.add("header " + h.name() + " prefix `" + h.prefix() + "`"));
      p.queryParameters().forEach(q -> locations.add("query " + q));
      p.cookies().forEach(c -> locations.add("cookie " + c));
      m.put("locations", locations);
      providers.add(m);
    }
    out.put("jwtProviders", providers);
    List<Object> policies = new ArrayList<>();
    for (AuthorizationPolicy.Action action : AuthorizationPolicy.Action.values()) {
      for (CompiledPolicy p : authorizer.policies(action)) {
        policies.add(policyDump(p));
      }
    }
    for (CompiledPolicy p : authorizer.dryRunPolicies()) {
      policies.add(policyDump(p));
    }
    out.put("authorizationPolicies", policies);
    List<String> findingLines = new ArrayList<>();
    findings.forEach(f -> findingLines.add(f.format()));
    out.put("findings", findingLines);
    return out;
  }

  private static Map<String, Object> policyDump(CompiledPolicy p) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", p.qualifiedName());
    m.put("action", p.action().name());
    m.put("dryRun", p.dryRun());
    m.put("rules", p.rules().size());
    if (p.provider() != null) {
      m.put("provider", p.provider());
    }
    return m;
  }
}
