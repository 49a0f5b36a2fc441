package dev.meshguard.policy;

import java.util.List;

/**
 * A `networking.istio.io` DestinationRule, reduced to what matters for reaching a `jwksUri`: the
 * host and its client TLS settings (whole-host and per-port).
 */
public record DestinationRule(
    DocumentOrigin origin,
    ObjectMeta metadata,
    String host,
    ClientTls tls,
    List<PortTls> portLevelTls,
    List<String> exportTo) {

  public DestinationRule {
    portLevelTls = List.copyOf(portLevelTls);
    exportTo = List.copyOf(exportTo);
  }

  /** `trafficPolicy.tls` / `portLevelSettings[].tls`. */
  public record ClientTls(
      String mode,
      String caCertificates,
      String credentialName,
      String clientCertificate,
      String privateKey,
      String sni,
      List<String> subjectAltNames,
      boolean insecureSkipVerify) {
    public ClientTls {
      subjectAltNames = List.copyOf(subjectAltNames);
    }
  }

  /** The TLS settings of one port. */
  public record PortTls(int port, ClientTls tls) {}
}
