package dev.meshguard.proxy;

import io.netty.channel.Channel;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.Attribute;
import io.netty.util.AttributeKey;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLSession;

/**
 * What the proxy knows about the client connection a request arrived on.
 *
 * @param peerIp the direct peer address (`source.ip`)
 * @param localIp the local address the connection was accepted on
 * @param localPort the local port
 * @param scheme `http` or `https`
 * @param sni the TLS server name, or null
 * @param peer who the client certificate says the peer is ({@link PeerIdentity#NONE} without one)
 */
record ConnectionInfo(
    String peerIp, String localIp, int localPort, String scheme, String sni, PeerIdentity peer) {

  ConnectionInfo {
    peer = peer == null ? PeerIdentity.NONE : peer;
  }

  /** A connection without a client certificate. */
  ConnectionInfo(String peerIp, String localIp, int localPort, String scheme, String sni) {
    this(peerIp, localIp, localPort, scheme, sni, PeerIdentity.NONE);
  }

  private static final AttributeKey<ConnectionInfo> KEY =
      AttributeKey.valueOf(ConnectionInfo.class, "connection");

  /**
   * The connection a request arrived on (for an HTTP/2 stream, its parent connection), read once
   * per connection after its TLS handshake and kept as a channel attribute.
   */
  static ConnectionInfo of(Channel channel) {
    Channel ch =
        channel instanceof Http2StreamChannel && channel.parent() != null
            ? channel.parent()
            : channel;
    Attribute<ConnectionInfo> attr = ch.attr(KEY);
    ConnectionInfo info = attr.get();
    if (info == null) {
      info = read(ch);
      attr.set(info);
    }
    return info;
  }

  private static ConnectionInfo read(Channel ch) {
    SslHandler tls = ch.pipeline().get(SslHandler.class);
    InetSocketAddress peer = inet(ch.remoteAddress());
    InetSocketAddress local = inet(ch.localAddress());
    return new ConnectionInfo(
        peer == null ? null : peer.getAddress().getHostAddress(),
        local == null ? null : local.getAddress().getHostAddress(),
        local == null ? 0 : local.getPort(),
        tls == null ? "http" : "https",
        tls == null ? null : sni(tls.engine().getSession()),
        PeerIdentity.of(ch));
  }

  private static InetSocketAddress inet(SocketAddress a) {
    return a instanceof InetSocketAddress i && i.getAddress() != null ? i : null;
  }

  private static String sni(SSLSession session) {
    if (session instanceof ExtendedSSLSession ext) {
      for (SNIServerName name : ext.getRequestedServerNames()) {
        if (name instanceof SNIHostName host) {
          return host.getAsciiName();
        }
      }
    }
    return null;
  }
}
