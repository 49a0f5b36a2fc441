package dev.meshguard.proxy;

import io.netty.handler.codec.http.HttpHeaders;
import java.util.Locale;

/**
 * What happens to `x-forwarded-client-cert` (XFCC) on the way upstream: Envoy's
 * `forward_client_cert_details`, run where Envoy's connection manager runs it, before any filter,
 * so the engine decides on the header the upstream gets.
 *
 * <p>Whatever the mode, a connection without a verified client certificate never forwards a
 * client's XFCC, except in {@link #ALWAYS_FORWARD_ONLY} (which trusts the client, as in Envoy). So
 * with {@code --tls-client-auth optional} and no certificate there is no identity to forward, and
 * nothing a client sends over plain text or without a certificate can pose as one.
 */
public enum ForwardClientCert {
  /** Remove any XFCC the client sent (Envoy's default, and Istio's at gateways). */
  SANITIZE,
  /** Forward the client's XFCC unchanged, but only over mTLS. */
  FORWARD_ONLY,
  /** Over mTLS, append this hop's element to the client's XFCC (Istio's sidecar inbound). */
  APPEND_FORWARD,
  /** Over mTLS, replace the client's XFCC with this hop's element. */
  SANITIZE_SET,
  /** Forward the client's XFCC unchanged, mTLS or not. */
  ALWAYS_FORWARD_ONLY;

  static final String HEADER = "x-forwarded-client-cert";

  /** The command-line spelling: `sanitize`, `forward-only`, `append-forward`, ... */
  public static ForwardClientCert parse(String value) {
    for (ForwardClientCert mode : values()) {
      if (mode.flagValue().equals(value)) {
        return mode;
      }
    }
    throw new IllegalArgumentException(
        "--forward-client-cert: `"
            + value
            + "` is not one of sanitize, forward-only, append-forward, sanitize-set,"
            + " always-forward-only");
  }

  public String flagValue() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** Envoy's `mutateXfccRequestHeader` for a request that arrived from {@code peer}. */
  void apply(HttpHeaders headers, PeerIdentity peer) {
    if (this == ALWAYS_FORWARD_ONLY) {
      return;
    }
    if (this == SANITIZE || !peer.certificatePresented()) {
      headers.remove(HEADER);
      return;
    }
    if (this == FORWARD_ONLY) {
      return;
    }
    String element = ClientCertElement.format(peer);
    if (this == APPEND_FORWARD) {
      String previous = String.join(",", headers.getAll(HEADER));
      headers.set(HEADER, previous.isEmpty() ? element : previous + "," + element);
    } else {
      headers.set(HEADER, element);
    }
  }
}
