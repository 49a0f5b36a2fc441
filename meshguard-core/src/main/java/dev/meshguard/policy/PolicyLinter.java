package dev.meshguard.policy;

import dev.meshguard.policy.AuthorizationPolicy.Condition;
import dev.meshguard.policy.AuthorizationPolicy.Operation;
import dev.meshguard.policy.AuthorizationPolicy.Rule;
import dev.meshguard.policy.AuthorizationPolicy.Source;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * meshguard's own warnings about configurations that Istio accepts but that rarely do what their
 * author meant (peers-and-security.md, section 5 item 4, and the security rows it cites). Every
 * message starts with {@value #PREFIX} so it cannot be mistaken for istiod's.
 */
public final class PolicyLinter {
  /** Starts every lint message. */
  public static final String PREFIX = "lint: ";

  private static final Pattern NUMBER = Pattern.compile("-?[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?");
  private static final Set<String> GATEWAY_PORTS = Set.of("80", "443");
  private static final Set<String> METADATA_HOSTS =
      Set.of("localhost", "metadata", "metadata.google.internal", "instance-data");

  private PolicyLinter() {}

  /** Warnings about {@code config}'s objects (its findings and notices are not looked at). */
  public static List<Finding> lint(ConfigSet config) {
    List<Finding> out = new ArrayList<>();
    boolean tokenRequired =
        config.authorizationPolicies().stream().anyMatch(PolicyLinter::usesRequestIdentity);
    Map<String, String> issuersByNamespace = new HashMap<>();
    for (RequestAuthentication authentication : config.requestAuthentications()) {
      FindingSink sink = new FindingSink(authentication.origin(), "", out);
      if (!tokenRequired
          && !authentication.jwtRules().isEmpty()
          && !PresenceLint.requiresToken(authentication)) {
        sink.warning(
            "spec.jwtRules",
            PREFIX
                + "no AuthorizationPolicy in this configuration requires a token"
                + " (`requestPrincipals`, `notRequestPrincipals` or a `request.auth.*` condition):"
                + " requests without a token are allowed");
      }
      lintRules(authentication, issuersByNamespace, sink);
      PresenceLint.lint(authentication, sink);
      TargetRefLint.lint(authentication, sink);
    }
    for (AuthorizationPolicy policy : config.authorizationPolicies()) {
      FindingSink sink = new FindingSink(policy.origin(), "", out);
      lintPolicy(policy, sink);
      TargetRefLint.lint(policy, sink);
    }
    return out;
  }

  private static boolean usesRequestIdentity(AuthorizationPolicy policy) {
    for (Rule rule : policy.rules()) {
      if (rule.from() != null) {
        for (Source source : rule.from()) {
          if (!source.requestPrincipals().isEmpty() || !source.notRequestPrincipals().isEmpty()) {
            return true;
          }
        }
      }
      for (Condition condition : rule.when()) {
        if (condition.key().startsWith("request.auth.")) {
          return true;
        }
      }
    }
    return false;
  }

  private static void lintRules(
      RequestAuthentication authentication,
      Map<String, String> issuersByNamespace,
      FindingSink sink) {
    Map<String, String> seenHere = new HashMap<>();
    List<JwtRule> rules = authentication.jwtRules();
    String namespace = authentication.metadata().namespace();
    for (int i = 0; i < rules.size(); i++) {
      JwtRule rule = rules.get(i);
      String path = Paths.index("spec.jwtRules", i);
      String issuer = rule.issuer();
      if (!Text.isNullOrEmpty(issuer)) {
        String earlier = seenHere.putIfAbsent(issuer, path);
        String elsewhere = issuersByNamespace.get(namespace + "\n" + issuer);
        if (earlier != null) {
          sink.warning(
              path + ".issuer",
              PREFIX
                  + "issuer "
                  + Text.quote(issuer)
                  + " is also used by "
                  + earlier
                  + ": a token is accepted when any rule with this issuer accepts it");
        } else if (elsewhere != null) {
          sink.warning(
              path + ".issuer",
              PREFIX
                  + "issuer "
                  + Text.quote(issuer)
                  + " is also used by RequestAuthentication "
                  + Text.quote(elsewhere)
                  + ": where both apply, a token is accepted when either rule accepts it");
        }
      }
      if (rule.jwksUri() != null) {
        lintJwksUri(rule.jwksUri(), path + ".jwksUri", sink);
      }
    }
    for (String issuer : seenHere.keySet()) {
      issuersByNamespace.putIfAbsent(
          namespace + "\n" + issuer, authentication.metadata().qualifiedName());
    }
  }

  private static void lintJwksUri(String jwksUri, String path, FindingSink sink) {
    URI uri;
    try {
      uri = new URI(jwksUri);
    } catch (URISyntaxException e) {
      return; // validation reports it
    }
    String host = uri.getHost();
    if (host == null) {
      return;
    }
    host = host.toLowerCase(Locale.ROOT);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    String risky = riskyAddress(host);
    if (risky != null) {
      sink.warning(
          path,
          PREFIX
              + "jwksUri points at "
              + risky
              + " "
              + Text.quote(host)
              + ": keys would come from the proxy's own host or cloud metadata (SSRF,"
              + " GHSA-fgw5-hp8f-xfhc)");
      return;
    }
    boolean clusterHost =
        host.endsWith(".svc.cluster.local")
            || host.endsWith(".svc.cluster.local.")
            || host.endsWith(".svc");
    if ("http".equalsIgnoreCase(uri.getScheme()) && !clusterHost) {
      sink.warning(
          path,
          PREFIX
              + "keys fetched over plain http from "
              + Text.quote(host)
              + ", outside the cluster, can be replaced in transit: use https");
    }
  }

  /** "a loopback address" and the like, or null. */
  private static String riskyAddress(String host) {
    if (METADATA_HOSTS.contains(host) || host.endsWith(".localhost")) {
      return "the local or metadata host";
    }
    byte[] ip = IpAddresses.parseAddress(host);
    if (ip == null) {
      return null;
    }
    if (ip.length == 16 && isV4Mapped(ip)) {
      byte[] v4 = new byte[4];
      System.arraycopy(ip, 12, v4, 0, 4);
      ip = v4;
    }
    if (ip.length == 4) {
      int a = ip[0] & 0xff;
      int b = ip[1] & 0xff;
      if (a == 127) {
        return "the loopback address";
      }
      if (a == 169 && b == 254) {
        return "the link-local (cloud metadata) address";
      }
      if (a == 0) {
        return "the unspecified address";
      }
      return null;
    }
    boolean zeroHead = true;
    for (int i = 0; i < 15; i++) {
      zeroHead &= ip[i] == 0;
    }
    if (zeroHead && (ip[15] == 1 || ip[15] == 0)) {
      return ip[15] == 1 ? "the loopback address" : "the unspecified address";
    }
    if ((ip[0] & 0xff) == 0xfe && (ip[1] & 0xc0) == 0x80) {
      return "the link-local address";
    }
    byte[] awsMetadata = IpAddresses.parseAddress("fd00:ec2::254");
    if (java.util.Arrays.equals(ip, awsMetadata)) {
      return "the cloud metadata address";
    }
    return null;
  }

  private static boolean isV4Mapped(byte[] ip) {
    for (int i = 0; i < 10; i++) {
      if (ip[i] != 0) {
        return false;
      }
    }
    return (ip[10] & 0xff) == 0xff && (ip[11] & 0xff) == 0xff;
  }

  private static void lintPolicy(AuthorizationPolicy policy, FindingSink sink) {
    boolean gateway = isClassicGateway(policy);
    List<Rule> rules = policy.rules();
    for (int i = 0; i < rules.size(); i++) {
      Rule rule = rules.get(i);
      String rulePath = Paths.index("spec.rules", i);
      if (rule.from() != null) {
        for (int j = 0; j < rule.from().size(); j++) {
          String path = Paths.index(rulePath + ".from", j) + ".source";
          Source source = rule.from().get(j);
          lintServiceAccounts(source.serviceAccounts(), path + ".serviceAccounts", sink);
          lintServiceAccounts(source.notServiceAccounts(), path + ".notServiceAccounts", sink);
        }
      }
      if (rule.to() != null) {
        for (int j = 0; j < rule.to().size(); j++) {
          String path = Paths.index(rulePath + ".to", j) + ".operation";
          Operation operation = rule.to().get(j);
          lintHosts(operation.hosts(), path + ".hosts", sink);
          lintHosts(operation.notHosts(), path + ".notHosts", sink);
          if (gateway) {
            lintGatewayPorts(operation.ports(), path + ".ports", sink);
            lintGatewayPorts(operation.notPorts(), path + ".notPorts", sink);
          }
        }
      }
      for (int k = 0; k < rule.when().size(); k++) {
        Condition condition = rule.when().get(k);
        String path = Paths.index(rulePath + ".when", k);
        String key = condition.key();
        if (key.startsWith("request.auth.claims[")) {
          lintClaimValues(condition.values(), path + ".values", sink);
          lintClaimValues(condition.notValues(), path + ".notValues", sink);
        } else if (key.equals("source.serviceAccount")) {
          lintServiceAccounts(condition.values(), path + ".values", sink);
          lintServiceAccounts(condition.notValues(), path + ".notValues", sink);
        } else if (key.equals("destination.port") && gateway) {
          lintGatewayPorts(condition.values(), path + ".values", sink);
          lintGatewayPorts(condition.notValues(), path + ".notValues", sink);
        }
      }
    }
  }

  /** Istio's classic ingress/egress gateway Deployments listen on 8080/8443 (since 1.8/1.9). */
  private static boolean isClassicGateway(AuthorizationPolicy policy) {
    if (policy.selector() == null) {
      return false;
    }
    Map<String, String> labels = policy.selector().matchLabels();
    String istio = labels.getOrDefault("istio", "");
    String app = labels.getOrDefault("app", "");
    return istio.equals("ingressgateway")
        || istio.equals("egressgateway")
        || app.equals("istio-ingressgateway")
        || app.equals("istio-egressgateway");
  }

  private static void lintHosts(List<String> hosts, String path, FindingSink sink) {
    for (int i = 0; i < hosts.size(); i++) {
      String host = hosts.get(i);
      if (host.isEmpty()
          || host.contains(":")
          || host.endsWith("*")
          || hosts.contains(host + ":*")) {
        continue;
      }
      sink.warning(
          Paths.index(path, i),
          PREFIX
              + Text.quote(host)
              + " does not match requests for "
              + Text.quote(host + ":<port>")
              + " (the port is part of the host): add "
              + Text.quote(host + ":*"));
    }
  }

  private static void lintClaimValues(List<String> values, String path, FindingSink sink) {
    for (int i = 0; i < values.size(); i++) {
      String value = values.get(i);
      if (value.equals("true") || value.equals("false") || NUMBER.matcher(value).matches()) {
        sink.warning(
            Paths.index(path, i),
            PREFIX
                + Text.quote(value)
                + " only matches a string claim: a boolean or number claim never matches");
      }
    }
  }

  private static void lintServiceAccounts(List<String> values, String path, FindingSink sink) {
    for (int i = 0; i < values.size(); i++) {
      if (values.get(i).contains(".")) {
        sink.warning(
            Paths.index(path, i),
            PREFIX
                + "the `.` in "
                + Text.quote(values.get(i))
                + " matches only a dot (older Istio releases matched any character,"
                + " CVE-2026-39350)");
      }
    }
  }

  private static void lintGatewayPorts(List<String> ports, String path, FindingSink sink) {
    for (int i = 0; i < ports.size(); i++) {
      if (GATEWAY_PORTS.contains(ports.get(i))) {
        sink.warning(
            Paths.index(path, i),
            PREFIX
                + "Istio's gateway pods listen on 8080 and 8443, not on the Service ports 80 and 443:"
                + " port "
                + Text.quote(ports.get(i))
                + " never matches (ISTIO-SECURITY-2021-002)");
      }
    }
  }
}
