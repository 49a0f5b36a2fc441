package dev.meshguard.proxy;

import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContextBuilder;

/** What the TLS listener offers beyond its certificate. */
public final class ListenerTls {
  private ListenerTls() {}

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
