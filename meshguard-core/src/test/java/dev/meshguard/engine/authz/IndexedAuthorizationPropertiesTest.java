package dev.meshguard.engine.authz;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshguard.engine.RequestHeaders;
import dev.meshguard.engine.Trace;
import dev.meshguard.engine.authn.VerifiedClaims;
import dev.meshguard.policy.AuthorizationPolicy;
import dev.meshguard.policy.ConfigLoader;
import dev.meshguard.policy.ConfigSet;
import dev.meshguard.policy.Finding;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Indexed authorization (the hot path) and the walk over every rule (what `check --explain` does)
 * give the same answers: verdict, deciding policy and rule, reason and dry-run verdict, for random
 * policy sets and requests drawn from one small vocabulary so that rules often match, often
 * overlap, and tie on Envoy's RBAC-name order (`p1` < `p10` < `p2`; `rule[10]` < `rule[2]`).
 */
class IndexedAuthorizationPropertiesTest {
  private static final List<String> PATHS =
      List.of(
          "/a",
          "/a/b",
          "/a/*",
          "/a*",
          "*/b",
          "*b",
          "*",
          "/a/{*}",
          "/a/{**}",
          "/{*}/b",
          "/b",
          "/c/{*}/d",
          "/c*",
          "*d");
  private static final List<String> PRINCIPALS =
      List.of("iss/alice", "iss/bob", "iss/*", "*", "other/alice", "*/alice", "iss/a/b");
  private static final List<String> METHODS = List.of("GET", "POST", "*");
  private static final List<String> HOSTS = List.of("example.com", "*.com", "other.org");
  private static final List<String> REQUEST_PATHS =
      List.of("/a", "/a/b", "/a/bb", "/b", "/x/b", "/c/z/d", "/", "/a/", "/cd", "/a/b/c");

  /** One rule, as fields to write into YAML (null: field absent). */
  record RuleSpec(
      List<String> paths,
      List<String> notPaths,
      List<String> principals,
      List<String> notPrincipals,
      List<String> methods,
      List<String> hosts,
      String header,
      boolean secondTo,
      boolean secondFrom) {}

  record PolicySpec(String name, String action, boolean dryRun, List<RuleSpec> rules) {}

  record Request(String method, String host, String path, String iss, String sub, String header) {}

  @Provide
  Arbitrary<List<PolicySpec>> policies() {
    Arbitrary<List<String>> somePaths = Arbitraries.of(PATHS).list().ofMinSize(1).ofMaxSize(3);
    Arbitrary<List<String>> somePrincipals =
        Arbitraries.of(PRINCIPALS).list().ofMinSize(1).ofMaxSize(2);
    Arbitrary<RuleSpec> rule =
        Combinators.combine(
                somePaths.injectNull(0.3),
                somePaths.injectNull(0.85),
                somePrincipals.injectNull(0.4),
                somePrincipals.injectNull(0.85),
                Arbitraries.of(METHODS).list().ofMinSize(1).ofMaxSize(2).injectNull(0.6),
                Arbitraries.of(HOSTS).list().ofMinSize(1).ofMaxSize(2).injectNull(0.8),
                Arbitraries.of("1", "2", "*").injectNull(0.7),
                Arbitraries.of(true, false).list().ofSize(2))
            .as(
                (p, np, pr, npr, m, h, hd, more) ->
                    new RuleSpec(p, np, pr, npr, m, h, hd, more.get(0), more.get(1)));
    Arbitrary<PolicySpec> policy =
        Combinators.combine(
                Arbitraries.of("p1", "p10", "p2", "q", "a-b"),
                Arbitraries.of("ALLOW", "ALLOW", "DENY", "AUDIT", "CUSTOM"),
                Arbitraries.of(false, false, true),
                rule.list().ofMinSize(0).ofMaxSize(12))
            .as(PolicySpec::new);
    return policy.list().ofMinSize(0).ofMaxSize(8).uniqueElements(PolicySpec::name);
  }

  @Provide
  Arbitrary<List<Request>> requests() {
    return Combinators.combine(
            Arbitraries.of("GET", "POST", "PUT"),
            Arbitraries.of("example.com", "api.example.com", "other.org"),
            Arbitraries.of(REQUEST_PATHS),
            Arbitraries.of("iss", "other", "iss/a").injectNull(0.3),
            Arbitraries.of("alice", "bob", "b"),
            Arbitraries.of("1", "2").injectNull(0.4))
        .as(Request::new)
        .list()
        .ofMinSize(1)
        .ofMaxSize(12);
  }

  @Property(tries = 400)
  void indexedAndWalkedAuthorizationAgree(
      @ForAll("policies") List<PolicySpec> specs, @ForAll("requests") List<Request> requests) {
    Authorizer authorizer = authorizer(specs);
    for (Request r : requests) {
      AuthzRequest request = request(r);
      AuthzResult indexed = authorizer.authorize(request, Trace.OFF);
      AuthzResult walked = authorizer.authorizeLinearly(request);
      String context = yaml(specs) + "\nrequest: " + r;
      assertThat(indexed.allowed()).as(context).isEqualTo(walked.allowed());
      assertThat(indexed.policy()).as(context).isEqualTo(walked.policy());
      assertThat(indexed.rule()).as(context).isEqualTo(walked.rule());
      assertThat(indexed.reason()).as(context).isEqualTo(walked.reason());
      assertThat(indexed.shadow()).as(context).isEqualTo(walked.shadow());

      AuthzResult custom = authorizer.checkCustom(request, Trace.OFF);
      AuthzResult customWalked = authorizer.checkCustom(request, Trace.recording());
      assertThat(custom == null).as(context).isEqualTo(customWalked == null);
      if (custom != null) {
        assertThat(custom.policy()).as(context).isEqualTo(customWalked.policy());
        assertThat(custom.rule()).as(context).isEqualTo(customWalked.rule());
      }
    }
  }

  private static Authorizer authorizer(List<PolicySpec> specs) {
    ConfigSet config = ConfigLoader.loadString(yaml(specs), "policies.yaml");
    assertThat(config.findings().stream().filter(Finding::isError)).as(yaml(specs)).isEmpty();
    List<CompiledPolicy> compiled = new ArrayList<>();
    List<Finding> findings = new ArrayList<>();
    TrustDomainBundle trustDomains = TrustDomainBundle.of("cluster.local", List.of());
    for (AuthorizationPolicy p : config.authorizationPolicies()) {
      compiled.add(PolicyCompiler.compile(p, trustDomains, findings));
    }
    assertThat(findings).as(yaml(specs)).isEmpty();
    return new Authorizer(compiled, Map.of("ext", Map.of()));
  }

  private static AuthzRequest request(Request r) {
    List<Map.Entry<String, String>> headers = new ArrayList<>();
    if (r.header() != null) {
      headers.add(Map.entry("x-t", r.header()));
    }
    VerifiedClaims claims = null;
    if (r.iss() != null) {
      ObjectNode payload = JsonNodeFactory.instance.objectNode();
      payload.put("iss", r.iss());
      payload.put("sub", r.sub());
      claims = VerifiedClaims.of(payload);
    }
    return new AuthzRequest(
        r.method(),
        r.host(),
        r.path(),
        r.path(),
        "http",
        8080,
        "10.0.0.1",
        "10.0.0.1",
        "10.0.0.2",
        null,
        null,
        RequestHeaders.of(headers),
        claims);
  }

  static String yaml(List<PolicySpec> specs) {
    StringBuilder out = new StringBuilder();
    for (PolicySpec p : specs) {
      out.append("---\napiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\n")
          .append("metadata:\n  name: ")
          .append(p.name())
          .append("\n  namespace: foo\n");
      if (p.dryRun() && (p.action().equals("ALLOW") || p.action().equals("DENY"))) {
        out.append("  annotations: {\"istio.io/dry-run\": \"true\"}\n");
      }
      out.append("spec:\n  action: ").append(p.action()).append('\n');
      if (p.action().equals("CUSTOM")) {
        out.append("  provider: {name: ext}\n");
      }
      if (p.rules().isEmpty()) {
        // ALLOW without rules matches nothing; istiod refuses the others without rules
        out.append(p.action().equals("ALLOW") ? "  rules: []\n" : "  rules:\n  - {}\n");
        continue;
      }
      out.append("  rules:\n");
      for (RuleSpec r : p.rules()) {
        out.append("  - ");
        boolean any = false;
        // istiod refuses request principals in CUSTOM policies
        boolean principals = !p.action().equals("CUSTOM");
        if (principals && (r.principals() != null || r.notPrincipals() != null)) {
          out.append("from:\n");
          out.append("    - source: {")
              .append(list("requestPrincipals", r.principals()))
              .append(r.principals() != null && r.notPrincipals() != null ? ", " : "")
              .append(list("notRequestPrincipals", r.notPrincipals()))
              .append("}\n");
          if (r.secondFrom()) {
            out.append("    - source: {requestPrincipals: [\"iss/bob\"]}\n");
          }
          any = true;
        }
        List<String> to = new ArrayList<>();
        if (r.paths() != null) {
          to.add(list("paths", r.paths()));
        }
        if (r.notPaths() != null) {
          to.add(list("notPaths", r.notPaths()));
        }
        if (r.methods() != null) {
          to.add(list("methods", r.methods()));
        }
        if (r.hosts() != null) {
          to.add(list("hosts", r.hosts()));
        }
        if (!to.isEmpty()) {
          out.append(any ? "    " : "").append("to:\n");
          out.append("    - operation: {").append(String.join(", ", to)).append("}\n");
          if (r.secondTo()) {
            out.append("    - operation: {paths: [\"/b\"]}\n");
          }
          any = true;
        }
        if (r.header() != null) {
          out.append(any ? "    " : "").append("when:\n");
          out.append("    - key: request.headers[x-t]\n      values: [\"")
              .append(r.header())
              .append("\"]\n");
          any = true;
        }
        if (!any) {
          out.append("{}\n");
        }
      }
    }
    return out.toString();
  }

  private static String list(String field, List<String> values) {
    if (values == null) {
      return "";
    }
    StringBuilder out = new StringBuilder(field).append(": [");
    for (int i = 0; i < values.size(); i++) {
      out.append(i == 0 ? "" : ", ").append('"').append(values.get(i)).append('"');
    }
    return out.append(']').toString();
  }
}
