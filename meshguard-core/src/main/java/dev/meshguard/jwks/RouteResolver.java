package dev.meshguard.jwks;

import static java.util.Objects.requireNonNull;

import dev.meshguard.policy.ConfigSet;
import dev.meshguard.policy.DestinationRule;
import dev.meshguard.policy.ServiceEntry;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Works out how a URL is reached, the way a sidecar would reach it: a ServiceEntry for the host
 * says where to connect (STATIC endpoints, DNS names, or the host itself), and a DestinationRule
 * for the host and port may originate TLS. Pure: no DNS, no I/O.
 *
 * <p>The ServiceEntries and DestinationRules kept are stripped of where they were read from, so an
 * equal configuration read again gives equal routes (and keeps its fetched keys).
 */
final class RouteResolver {
  private final List<ServiceEntry> serviceEntries;
  private final List<DestinationRule> destinationRules;
  private final RemoteJwksOptions options;
  private final AddressPolicy addressPolicy;

  RouteResolver(ConfigSet config, RemoteJwksOptions options) {
    this(config.serviceEntries(), config.destinationRules(), options);
  }

  RouteResolver(
      List<ServiceEntry> serviceEntries,
      List<DestinationRule> destinationRules,
      RemoteJwksOptions options) {
    this.serviceEntries = serviceEntries.stream().map(RouteResolver::withoutOrigin).toList();
    this.destinationRules = destinationRules.stream().map(RouteResolver::withoutOrigin).toList();
    this.options = requireNonNull(options, "options");
    this.addressPolicy = AddressPolicy.of(options);
  }

  /**
   * The routing inputs that can matter, as a value: part of the cache key of a source whose URL is
   * only known after OpenID discovery.
   */
  Object fingerprint() {
    return List.of(serviceEntries, destinationRules);
  }

  /** The route for {@code url}; a {@link FetchException} says why it cannot be fetched at all. */
  Route resolve(String url) throws FetchException {
    requireNonNull(url, "url");
    URI uri;
    try {
      uri = new URI(url.trim());
    } catch (URISyntaxException e) {
      throw new FetchException("`" + url + "` is not a valid url");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new FetchException("`" + url + "`: only http and https urls are fetched");
    }
    if (uri.getRawUserInfo() != null) {
      throw new FetchException("`" + url + "`: credentials in the url are not supported");
    }
    String host = uri.getHost();
    if (host == null || host.isEmpty()) {
      throw new FetchException("`" + url + "` has no host");
    }
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    host = host.toLowerCase(Locale.ROOT);
    if (host.endsWith(".")) {
      host = host.substring(0, host.length() - 1);
    }
    String refusedHost = addressPolicy.refuseHost(host);
    if (refusedHost != null) {
      throw new FetchException(refusedHost);
    }
    boolean https = scheme.equals("https");
    int defaultPort = https ? 443 : 80;
    int port = uri.getPort() < 0 ? defaultPort : uri.getPort();
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    String target = uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
    String bracketed = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
    String hostHeader = port == defaultPort ? bracketed : bracketed + ":" + port;

    InetAddress hostLiteral = AddressPolicy.literal(host);
    Optional<ServiceEntry> entry = serviceEntryFor(host, hostLiteral);
    if (entry.isEmpty() && options.registryOnly() && !isClusterService(host)) {
      throw new FetchException(
          "host `" + host + "` is not declared by a serviceentry (registry-only mode)");
    }
    List<Route.Dial> dials;
    String via;
    if (entry.isPresent()) {
      ServiceEntry se = entry.get();
      ServiceEntry.Port sePort =
          se.ports().stream()
              .filter(p -> p.number() == port)
              .findFirst()
              .orElseThrow(
                  () ->
                      new FetchException(
                          "serviceentry `" + name(se) + "` does not declare port " + port));
      String resolution =
          se.resolution() == null ? "NONE" : se.resolution().toUpperCase(Locale.ROOT);
      dials = dialsFor(se, sePort, resolution, host, port);
      via = "serviceentry `" + name(se) + "` (" + resolution + ")";
    } else {
      dials = List.of(new Route.Dial(host, port));
      via = "dns";
    }
    Route.Tls tls = tlsFor(host, hostLiteral != null, port, https);
    return new Route(url, host, port, target, hostHeader, dials, tls, via);
  }

  private List<Route.Dial> dialsFor(
      ServiceEntry se, ServiceEntry.Port sePort, String resolution, String host, int port)
      throws FetchException {
    int targetPort = sePort.targetPort() == null ? sePort.number() : sePort.targetPort();
    List<Route.Dial> dials = new ArrayList<>();
    switch (resolution) {
      case "STATIC", "DNS", "DNS_ROUND_ROBIN" -> {
        for (ServiceEntry.Endpoint ep : se.endpoints()) {
          String address = ep.address();
          if (address == null || address.isEmpty() || address.startsWith("unix://")) {
            continue;
          }
          Integer mapped = sePort.name() == null ? null : ep.ports().get(sePort.name());
          dials.add(new Route.Dial(address, mapped == null ? targetPort : mapped));
        }
        if (dials.isEmpty()) {
          if (resolution.equals("STATIC")) {
            throw new FetchException(
                "serviceentry `" + name(se) + "` (STATIC) has no endpoint to connect to");
          }
          dials.add(new Route.Dial(host, targetPort));
        }
      }
      default ->
          // NONE: traffic goes to the address the client asked for.
          dials.add(new Route.Dial(host, port));
    }
    for (Route.Dial dial : dials) {
      String refused = addressPolicy.refuseHost(dial.host());
      if (refused != null) {
        throw new FetchException(refused);
      }
    }
    return dials;
  }

  private Route.Tls tlsFor(String host, boolean hostIsIp, int port, boolean https)
      throws FetchException {
    Optional<DestinationRule> rule = destinationRuleFor(host);
    DestinationRule.ClientTls settings = null;
    if (rule.isPresent()) {
      DestinationRule dr = rule.get();
      settings =
          dr.portLevelTls().stream()
              .filter(p -> p.port() == port)
              .map(DestinationRule.PortTls::tls)
              .filter(Objects::nonNull)
              .findFirst()
              .orElse(dr.tls());
    }
    String mode =
        settings == null || settings.mode() == null
            ? "DISABLE"
            : settings.mode().toUpperCase(Locale.ROOT);
    String defaultSni = hostIsIp ? null : host;
    switch (mode) {
      case "SIMPLE" -> {
        String sni = blankToNull(settings.sni());
        String ca = blankToNull(settings.caCertificates());
        String origin = "destinationrule `" + name(rule.get()) + "`";
        if (ca == null && blankToNull(settings.credentialName()) != null) {
          // A Kubernetes secret meshguard cannot read: the JVM's CAs are all it can trust.
          origin += " (credentialName `" + settings.credentialName() + "` not read)";
        }
        return new Route.Tls(
            sni == null ? defaultSni : sni,
            sni == null ? host : sni,
            settings.subjectAltNames(),
            ca,
            settings.insecureSkipVerify(),
            origin);
      }
      case "MUTUAL" ->
          throw new FetchException(
              "destinationrule `"
                  + name(rule.get())
                  + "`: tls mode `MUTUAL` is not supported for fetching keys");
      default -> {
        // DISABLE, or ISTIO_MUTUAL (mesh identity that meshguard does not have): the URL decides.
        return https ? new Route.Tls(defaultSni, host, List.of(), null, false, "https") : null;
      }
    }
  }

  private Optional<ServiceEntry> serviceEntryFor(String host, InetAddress hostLiteral) {
    ServiceEntry best = null;
    int bestScore = 0;
    for (ServiceEntry se : serviceEntries) {
      int score = 0;
      for (String h : se.hosts()) {
        score = Math.max(score, hostScore(h, host));
      }
      if (hostLiteral != null && score < 1000) {
        for (String address : se.addresses()) {
          try {
            if (AddressPolicy.Cidr.parse(address).contains(hostLiteral)) {
              score = Math.max(score, 999);
            }
          } catch (IllegalArgumentException e) {
            // Not an address: validation reports it; it cannot match.
          }
        }
      }
      if (score > bestScore) {
        best = se;
        bestScore = score;
      }
    }
    return Optional.ofNullable(best);
  }

  private Optional<DestinationRule> destinationRuleFor(String host) {
    return destinationRules.stream()
        .filter(dr -> dr.host() != null && hostScore(qualify(dr), host) > 0)
        .max(Comparator.comparingInt(dr -> hostScore(qualify(dr), host)));
  }

  /** A DestinationRule's short host name is relative to its namespace. */
  private String qualify(DestinationRule dr) {
    String h = dr.host();
    if (h.indexOf('.') < 0 && !h.equals("*") && AddressPolicy.literal(h) == null) {
      String ns = dr.metadata() == null ? null : dr.metadata().namespace();
      if (ns != null) {
        return h + "." + ns + ".svc." + options.clusterDomain();
      }
    }
    return h;
  }

  /** 1000 for an exact match, 1 + suffix length for a wildcard match, 0 for none. */
  private static int hostScore(String pattern, String host) {
    String p = pattern.toLowerCase(Locale.ROOT);
    if (p.endsWith(".")) {
      p = p.substring(0, p.length() - 1);
    }
    if (p.startsWith("[") && p.endsWith("]")) {
      p = p.substring(1, p.length() - 1);
    }
    if (p.equals(host)) {
      return 1000;
    }
    if (p.equals("*")) {
      return 1;
    }
    if (p.startsWith("*.") && host.endsWith(p.substring(1))) {
      return 1 + p.length();
    }
    return 0;
  }

  private boolean isClusterService(String host) {
    return host.endsWith(".svc") || host.endsWith(".svc." + options.clusterDomain());
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  private static String name(ServiceEntry se) {
    return se.metadata() == null ? "?" : se.metadata().qualifiedName();
  }

  private static String name(DestinationRule dr) {
    return dr.metadata() == null ? "?" : dr.metadata().qualifiedName();
  }

  private static ServiceEntry withoutOrigin(ServiceEntry se) {
    return new ServiceEntry(
        null,
        se.metadata() == null
            ? null
            : new dev.meshguard.policy.ObjectMeta(
                se.metadata().name(), se.metadata().namespace(), Map.of(), Map.of()),
        se.hosts(),
        se.addresses(),
        se.ports(),
        se.location(),
        se.resolution(),
        se.endpoints(),
        se.exportTo());
  }

  private static DestinationRule withoutOrigin(DestinationRule dr) {
    return new DestinationRule(
        null,
        dr.metadata() == null
            ? null
            : new dev.meshguard.policy.ObjectMeta(
                dr.metadata().name(), dr.metadata().namespace(), Map.of(), Map.of()),
        dr.host(),
        dr.tls(),
        dr.portLevelTls(),
        dr.exportTo());
  }
}
