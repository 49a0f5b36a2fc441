package dev.meshguard.proxy;

import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.nio.file.Path;
import javax.net.ssl.SSLException;

/**
 * TLS towards the upstream (`https://` and `h2://`): whom to trust, which name to ask for and
 * verify, and the client certificate for upstream mTLS.
 *
 * @param ca PEM file of the CAs that may sign the upstream's certificate, or null for the JVM's
 *     trust store (`--upstream-ca`)
 * @param sni the server name sent and verified instead of the upstream's host, or null
 *     (`--upstream-sni`)
 * @param cert PEM certificate chain presented to the upstream, or null (`--upstream-cert`)
 * @param key PEM PKCS#8 private key of {@code cert} (`--upstream-key`)
 */
public record UpstreamTls(Path ca, String sni, Path cert, Path key) {
  public static final UpstreamTls DEFAULTS = new UpstreamTls(null, null, null, null);

  public UpstreamTls {
    if ((cert == null) != (key == null)) {
      throw new IllegalArgumentException("--upstream-cert and --upstream-key go together");
    }
  }

  /** The client context; with ALPN `h2` only when the upstream speaks HTTP/2. */
  SslContext context(boolean http2) throws SSLException {
    SslContextBuilder b = SslContextBuilder.forClient();
    if (ca != null) {
      b.trustManager(ca.toFile());
    }
    if (cert != null) {
      b.keyManager(cert.toFile(), key.toFile());
    }
    b.applicationProtocolConfig(
        new ApplicationProtocolConfig(
            ApplicationProtocolConfig.Protocol.ALPN,
            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
            http2 ? ApplicationProtocolNames.HTTP_2 : ApplicationProtocolNames.HTTP_1_1));
    return b.build();
  }

  /** The name to send as SNI and to verify the certificate against. */
  String serverName(UpstreamTarget target) {
    return sni != null ? sni : target.host();
  }
}
