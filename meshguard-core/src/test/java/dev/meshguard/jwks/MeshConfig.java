package dev.meshguard.jwks;

import dev.meshguard.policy.ConfigSet;
import dev.meshguard.policy.DestinationRule;
import dev.meshguard.policy.DocumentOrigin;
import dev.meshguard.policy.JwtRule;
import dev.meshguard.policy.ObjectMeta;
import dev.meshguard.policy.ServiceEntry;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Istio objects for tests, built the way the YAML reader would build them. */
final class MeshConfig {
  private MeshConfig() {}

  static final DocumentOrigin ORIGIN = new DocumentOrigin("test.yaml", 0);

  static ObjectMeta meta(String namespace, String name) {
    return new ObjectMeta(name, namespace, Map.of(), Map.of());
  }

  static ServiceEntry serviceEntry(
      String name,
      List<String> hosts,
      List<String> addresses,
      List<ServiceEntry.Port> ports,
      String resolution,
      List<ServiceEntry.Endpoint> endpoints) {
    return new ServiceEntry(
        ORIGIN,
        meta("foo", name),
        hosts,
        addresses,
        ports,
        "MESH_EXTERNAL",
        resolution,
        endpoints,
        List.of());
  }

  static ServiceEntry.Port port(int number, String protocol, String name) {
    return new ServiceEntry.Port(number, protocol, name, null);
  }

  static ServiceEntry.Endpoint endpoint(String address, Map<String, Integer> ports) {
    return new ServiceEntry.Endpoint(address, ports, Map.of(), null);
  }

  /** TLS SIMPLE settings. */
  static DestinationRule.ClientTls simpleTls(
      String caFile, String sni, List<String> subjectAltNames, boolean insecureSkipVerify) {
    return new DestinationRule.ClientTls(
        "SIMPLE", caFile, null, null, null, sni, subjectAltNames, insecureSkipVerify);
  }

  static DestinationRule.ClientTls tlsMode(String mode) {
    return new DestinationRule.ClientTls(mode, null, null, null, null, null, List.of(), false);
  }

  static DestinationRule destinationRule(String host, int port, DestinationRule.ClientTls tls) {
    return new DestinationRule(
        ORIGIN,
        meta("foo", "dr-" + host),
        host,
        null,
        List.of(new DestinationRule.PortTls(port, tls)),
        List.of());
  }

  static DestinationRule hostDestinationRule(String host, DestinationRule.ClientTls tls) {
    return new DestinationRule(ORIGIN, meta("foo", "dr-" + host), host, tls, List.of(), List.of());
  }

  static ConfigSet config(List<ServiceEntry> entries, List<DestinationRule> rules) {
    return new ConfigSet(List.of(), List.of(), entries, rules, List.of(), List.of());
  }

  static ConfigSet empty() {
    return config(List.of(), List.of());
  }

  static JwtRule rule(String issuer, String jwksUri, Duration timeout) {
    return new JwtRule(
        issuer, List.of(), jwksUri, null, null, null, null, null, List.of(), false, List.of(),
        timeout);
  }
}
