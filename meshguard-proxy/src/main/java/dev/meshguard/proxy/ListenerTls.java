package dev.meshguard.proxy;

import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.File;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import javax.net.ssl.SSLException;

/**
 * The TLS context of the `serve` listener: the server certificate, and with a client CA, mutual TLS
 * whose verified client certificates become the request's peer identity ({@link PeerIdentity});
 * ALPN offers HTTP/2 before HTTP/1.1.
 */
public final class ListenerTls {
  /** Whether a client certificate is demanded (`require`) or only asked for (`optional`). */
  public enum ClientAuthMode {
    REQUIRE,
    OPTIONAL;

    public static ClientAuthMode parse(String value) {
      for (ClientAuthMode m : values()) {
        if (m.name().toLowerCase(Locale.ROOT).equals(value)) {
          return m;
        }
      }
      throw new IllegalArgumentException(
          "--tls-client-auth: `" + value + "` is not one of require, optional");
    }
  }

  private final SslContext context;

  private ListenerTls(SslContext context) {
    this.context = context;
  }

  /**
   * The listener's TLS as `serve` configures it ({@link #build}), held so that whoever assembles
   * the proxy needs no Netty type.
   *
   * @throws SSLException a file that cannot be read as a certificate, key or CA bundle
   */
  public static ListenerTls load(Path cert, Path key, Path clientCa, ClientAuthMode mode)
      throws SSLException {
    return new ListenerTls(build(cert, key, clientCa, mode));
  }

  /** The Netty TLS context of the listener. */
  public SslContext context() {
    return context;
  }

  /**
   * The listener's TLS context: its certificate chain and key, and with {@code clientCa} client
   * certificates asked for and verified.
   *
   * @param clientCa PEM file of the CA(s) client certificates must chain to, or null for TLS
   *     without client certificates
   * @param mode how strictly to ask; ignored without {@code clientCa}
   * @throws SSLException a file that cannot be read as a certificate, key or CA bundle
   */
  public static SslContext build(Path cert, Path key, Path clientCa, ClientAuthMode mode)
      throws SSLException {
    Objects.requireNonNull(cert, "cert");
    Objects.requireNonNull(key, "key");
    SslContextBuilder b = withAlpn(SslContextBuilder.forServer(cert.toFile(), key.toFile()));
    if (clientCa != null) {
      File ca = clientCa.toFile();
      if (!ca.canRead()) {
        throw new SSLException("--tls-client-ca " + clientCa + ": cannot read the file");
      }
      try {
        b.trustManager(ca);
      } catch (IllegalArgumentException e) {
        throw new SSLException("--tls-client-ca " + clientCa + ": " + e.getMessage(), e);
      }
      b.clientAuth(mode == ClientAuthMode.OPTIONAL ? ClientAuth.OPTIONAL : ClientAuth.REQUIRE);
    }
    return b.build();
  }

  /**
   * ALPN with `h2` preferred and `http/1.1` next, as an Istio gateway offers; a client that names
   * neither (or no ALPN at all) speaks HTTP/1.1.
   */
  public static SslContextBuilder withAlpn(SslContextBuilder builder) {
    return builder.applicationProtocolConfig(
        new ApplicationProtocolConfig(
            ApplicationProtocolConfig.Protocol.ALPN,
            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
            ApplicationProtocolNames.HTTP_2,
            ApplicationProtocolNames.HTTP_1_1));
  }
}
