package dev.meshguard.policy;

import dev.meshguard.policy.DestinationRule.ClientTls;

/** istiod's checks of a DestinationRule's client TLS settings (`ValidateTLS`). */
final class ClientTlsChecks {
  private ClientTlsChecks() {}

  static void check(ClientTls tls, String path, FindingSink sink) {
    String mode = tls.mode();
    boolean simple = "SIMPLE".equals(mode);
    boolean mutual = "MUTUAL".equals(mode);
    boolean sans = !tls.subjectAltNames().isEmpty();
    if (tls.insecureSkipVerify()) {
      if (simple && (present(tls.caCertificates()) || present(tls.credentialName()) || sans)) {
        sink.error(
            path,
            "cannot specify CaCertificates or CredentialName or SubjectAltNames when"
                + " InsecureSkipVerify is set true");
      }
      if (mutual && (present(tls.caCertificates()) || sans)) {
        sink.error(
            path,
            "cannot specify CaCertificates or SubjectAltNames when InsecureSkipVerify is set true");
      }
    }
    if ((simple || mutual) && present(tls.credentialName())) {
      if (present(tls.clientCertificate())
          || present(tls.caCertificates())
          || present(tls.privateKey())) {
        sink.error(
            path,
            "cannot specify client certificates or CA certificate or CA CRL If credentialName is set");
      }
      return;
    }
    if (mutual) {
      if (!present(tls.clientCertificate())) {
        sink.error(path + ".clientCertificate", "client certificate required for mutual tls");
      }
      if (!present(tls.privateKey())) {
        sink.error(path + ".privateKey", "private key required for mutual tls");
      }
    }
  }

  private static boolean present(String value) {
    return !Text.isNullOrEmpty(value);
  }
}
