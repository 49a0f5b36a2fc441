package dev.meshguard.engine.authz;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshguard.engine.match.IpMatcher;
import dev.meshguard.engine.match.PathTemplate;
import dev.meshguard.engine.match.StringMatch;
import dev.meshguard.policy.AuthorizationPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Turns the fields of one AuthorizationPolicy rule into matchers, following istiod's translation
 * (pilot/pkg/security/authz/model). Input is assumed valid (validation runs first); anything that
 * still cannot be translated throws {@link IllegalArgumentException}, which rejects the config.
 */
final class RuleCompiler {
  private final String policyNamespace;
  private final TrustDomainBundle trustDomains;

  RuleCompiler(String policyNamespace, TrustDomainBundle trustDomains) {
    this.policyNamespace = policyNamespace;
    this.trustDomains = trustDomains;
  }

  CompiledRule compile(int index, AuthorizationPolicy.Rule rule) {
    String base = "rules[" + index + "]";
    List<List<Matcher>> from = null;
    if (rule.from() != null) {
      from = new ArrayList<>();
      for (int i = 0; i < rule.from().size(); i++) {
        from.add(source(base + ".from[" + i + "].source", rule.from().get(i)));
      }
    }
    List<List<Matcher>> to = null;
    if (rule.to() != null) {
      to = new ArrayList<>();
      for (int i = 0; i < rule.to().size(); i++) {
        to.add(operation(base + ".to[" + i + "].operation", rule.to().get(i)));
      }
    }
    List<Matcher> when = new ArrayList<>();
    for (int i = 0; i < rule.when().size(); i++) {
      AuthorizationPolicy.Condition c = rule.when().get(i);
      String path = base + ".when[" + i + "]";
      Function<String, Predicate<AuthzRequest>> value = attribute(c.key());
      Function<AuthzRequest, String> observed = Observed.forKey(c.key());
      if (!c.values().isEmpty()) {
        when.add(field(path + " `" + c.key() + "` values", c.values(), value, false, observed));
      }
      if (!c.notValues().isEmpty()) {
        when.add(
            field(path + " `" + c.key() + "` notValues", c.notValues(), value, true, observed));
      }
    }
    return new CompiledRule(index, from, to, when, RuleKeys.of(rule));
  }

  private List<Matcher> source(String path, AuthorizationPolicy.Source s) {
    List<Matcher> out = new ArrayList<>();
    pair(out, path, "principals", s.principals(), s.notPrincipals(), this::peerPrincipal);
    pair(
        out,
        path,
        "requestPrincipals",
        s.requestPrincipals(),
        s.notRequestPrincipals(),
        PrincipalValues::requestPrincipal);
    pair(out, path, "namespaces", s.namespaces(), s.notNamespaces(), PrincipalValues::namespace);
    pair(
        out,
        path,
        "serviceAccounts",
        s.serviceAccounts(),
        s.notServiceAccounts(),
        v -> PrincipalValues.serviceAccount(v, policyNamespace));
    pair(out, path, "trustDomains", s.trustDomains(), s.notTrustDomains(), this::trustDomain);
    pair(out, path, "ipBlocks", s.ipBlocks(), s.notIpBlocks(), RuleCompiler::sourceIp);
    pair(
        out,
        path,
        "remoteIpBlocks",
        s.remoteIpBlocks(),
        s.notRemoteIpBlocks(),
        RuleCompiler::remoteIp);
    return out;
  }

  private List<Matcher> operation(String path, AuthorizationPolicy.Operation o) {
    List<Matcher> out = new ArrayList<>();
    pair(out, path, "hosts", o.hosts(), o.notHosts(), RuleCompiler::host);
    pair(out, path, "ports", o.ports(), o.notPorts(), RuleCompiler::port);
    pair(out, path, "methods", o.methods(), o.notMethods(), RuleCompiler::method);
    pair(out, path, "paths", o.paths(), o.notPaths(), RuleCompiler::path);
    return out;
  }

  private static void pair(
      List<Matcher> out,
      String path,
      String name,
      List<String> values,
      List<String> notValues,
      Function<String, Predicate<AuthzRequest>> compile) {
    Function<AuthzRequest, String> observed = Observed.forField(name);
    if (!values.isEmpty()) {
      out.add(field(path + "." + name, values, compile, false, observed));
    }
    String notName = "not" + Character.toUpperCase(name.charAt(0)) + name.substring(1);
    if (!notValues.isEmpty()) {
      out.add(field(path + "." + notName, notValues, compile, true, observed));
    }
  }

  private static Matcher field(
      String description,
      List<String> values,
      Function<String, Predicate<AuthzRequest>> compile,
      boolean negated,
      Function<AuthzRequest, String> observed) {
    List<Predicate<AuthzRequest>> predicates = new ArrayList<>(values.size());
    for (String v : values) {
      predicates.add(compile.apply(v));
    }
    return new FieldMatcher(description, values, predicates, negated, observed);
  }

  /** A principal value, matched in every trust domain of the bundle. */
  private Predicate<AuthzRequest> peerPrincipal(String value) {
    return anyOf(trustDomains.expandPrincipal(value), PrincipalValues::peerPrincipal);
  }

  private Predicate<AuthzRequest> trustDomain(String value) {
    return anyOf(trustDomains.expandTrustDomain(value), PrincipalValues::trustDomain);
  }

  private static Predicate<AuthzRequest> anyOf(
      List<String> values, Function<String, Predicate<AuthzRequest>> compile) {
    if (values.size() == 1) {
      return compile.apply(values.get(0));
    }
    List<Predicate<AuthzRequest>> all = values.stream().map(compile).toList();
    return r -> all.stream().anyMatch(p -> p.test(r));
  }

  private static Predicate<AuthzRequest> sourceIp(String value) {
    IpMatcher ip = IpMatcher.parse(value);
    return r -> ip.matches(r.sourceIp());
  }

  private static Predicate<AuthzRequest> remoteIp(String value) {
    IpMatcher ip = IpMatcher.parse(value);
    return r -> ip.matches(r.remoteIp());
  }

  private static Predicate<AuthzRequest> destinationIp(String value) {
    IpMatcher ip = IpMatcher.parse(value);
    return r -> ip.matches(r.destinationIp());
  }

  private static Predicate<AuthzRequest> host(String value) {
    Predicate<String> m = StringMatch.of(value, StringMatch.Kind.HOST)::matches;
    return r -> m.test(r.host());
  }

  private static Predicate<AuthzRequest> port(String value) {
    int port;
    try {
      port = Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("bad port `" + value + "`", e);
    }
    return r -> r.destinationPort() == port;
  }

  private static Predicate<AuthzRequest> method(String value) {
    Predicate<String> m = StringMatch.of(value, StringMatch.Kind.HEADER)::matches;
    return r -> m.test(r.method());
  }

  private static Predicate<AuthzRequest> path(String value) {
    if (PathTemplate.isTemplate(value)) {
      PathTemplate template = PathTemplate.compile(value);
      return r -> r.path() != null && template.matches(r.path());
    }
    Predicate<String> m = StringMatch.of(value, StringMatch.Kind.GENERIC)::matches;
    return r -> m.test(r.path());
  }

  /** The value compiler for a `when` key (see istio-semantics 8.15). */
  private Function<String, Predicate<AuthzRequest>> attribute(String key) {
    switch (key) {
      case "source.ip":
        return RuleCompiler::sourceIp;
      case "remote.ip":
        return RuleCompiler::remoteIp;
      case "destination.ip":
        return RuleCompiler::destinationIp;
      case "destination.port":
        return RuleCompiler::port;
      case "source.namespace":
        return PrincipalValues::namespace;
      case "source.principal":
        return this::peerPrincipal;
      case "source.serviceAccount":
        return v -> PrincipalValues.serviceAccount(v, policyNamespace);
      case "source.trustDomain":
        return this::trustDomain;
      case "request.auth.principal":
        return PrincipalValues::requestPrincipal;
      case "request.auth.audiences":
        return v -> claimPath(List.of("aud"), v);
      case "request.auth.presenter":
        return v -> claimPath(List.of("azp"), v);
      case "connection.sni":
        return v -> {
          Predicate<String> m = StringMatch.of(v, StringMatch.Kind.GENERIC)::matches;
          return r -> m.test(r.sni());
        };
      default:
        break;
    }
    if (key.startsWith("request.headers[") && key.endsWith("]")) {
      String name = key.substring("request.headers[".length(), key.length() - 1);
      return v -> header(name, v);
    }
    if (key.startsWith("request.auth.claims[")) {
      List<String> names = Claims.bracketNames(key.substring("request.auth.claims".length()));
      if (names == null) {
        throw new IllegalArgumentException("bad claim key `" + key + "`");
      }
      return v -> claimPath(names, v);
    }
    if (key.startsWith("experimental.envoy.filters.")) {
      // Envoy dynamic metadata from other filters never exists here: positive values never match.
      return v -> r -> false;
    }
    throw new IllegalArgumentException("unknown attribute `" + key + "`");
  }

  private static Predicate<AuthzRequest> claimPath(List<String> names, String value) {
    Predicate<String> m = StringMatch.of(value, StringMatch.Kind.GENERIC)::matches;
    return r -> {
      if (r.claims() == null) {
        return false;
      }
      JsonNode claim = Claims.at(r.claims().json(), names);
      return Claims.anyStringMatches(claim, m);
    };
  }

  /**
   * A header condition. Repeated headers: the comma-joined value (Istio's normalisation) and each
   * value on its own are both tried, so `x-role: user` + `x-role: admin` cannot hide `admin` from a
   * DENY (Envoy CVE-2026-26308).
   */
  private static Predicate<AuthzRequest> header(String name, String value) {
    Predicate<String> m = StringMatch.of(value, StringMatch.Kind.HEADER)::matches;
    return r -> {
      List<String> values = r.headerValues(name);
      if (values.isEmpty()) {
        return false;
      }
      if (values.size() == 1) {
        return m.test(values.get(0));
      }
      if (m.test(String.join(",", values))) {
        return true;
      }
      for (String v : values) {
        if (m.test(v)) {
          return true;
        }
      }
      return false;
    };
  }
}
