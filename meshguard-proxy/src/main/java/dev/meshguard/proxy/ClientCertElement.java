package dev.meshguard.proxy;

import java.util.ArrayList;
import java.util.List;

/**
 * One hop's element of `x-forwarded-client-cert`, written as Envoy writes it with the
 * `set_current_client_cert_details` Istio gives its sidecars (`subject`, `uri`, `dns`): `By=` for
 * each URI SAN of the proxy's own certificate, `Hash=` the SHA-256 of the client certificate,
 * `Subject="..."` (present even when empty), `URI=` for each URI SAN of the client certificate
 * (`URI=` alone when it has none), `DNS=` for each DNS SAN; joined with `;`.
 *
 * <p>Like Envoy, values are not escaped and only `Subject` is quoted (its RFC 2253 form escapes
 * `"`, `,` and `;` itself). A URI SAN holding `,` or `;` is written as it is, exactly as Envoy
 * writes it (Envoy leaves escaping them open): only a certificate the client CA signed can carry
 * one, and an upstream that parses XFCC should rely on `Hash` or on the first `URI`.
 */
final class ClientCertElement {
  private ClientCertElement() {}

  static String format(PeerIdentity peer) {
    List<String> parts = new ArrayList<>(6);
    for (String by : peer.localUriSans()) {
      parts.add("By=" + by);
    }
    if (!peer.sha256().isEmpty()) {
      parts.add("Hash=" + peer.sha256());
    }
    parts.add("Subject=\"" + peer.subject() + "\"");
    if (peer.uriSans().isEmpty()) {
      parts.add("URI=");
    } else {
      for (String uri : peer.uriSans()) {
        parts.add("URI=" + uri);
      }
    }
    for (String dns : peer.dnsSans()) {
      parts.add("DNS=" + dns);
    }
    return String.join(";", parts);
  }
}
