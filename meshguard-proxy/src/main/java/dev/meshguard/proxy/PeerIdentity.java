package dev.meshguard.proxy;

import io.netty.channel.Channel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.AttributeKey;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.Certificate;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.security.auth.x500.X500Principal;

/**
 * Who is on the other end of a client connection, as far as its verified TLS client certificate
 * tells: the SPIFFE principal the engine decides on, and the certificate details Envoy writes into
 * `x-forwarded-client-cert`. Read once per connection, after the handshake, and kept on the channel
 * (so that streams multiplexed over one connection share it).
 *
 * @param principal the peer's identity in Istio's form (`TD/ns/NS/sa/SA`, no `spiffe://`), or null
 *     when there is no client certificate or it names no SPIFFE identity
 * @param certificatePresented whether the peer presented a (verified) certificate at all
 * @param subject the certificate's subject in RFC 2253 form, or "" without a certificate
 * @param uriSans the certificate's URI subject alternative names, in certificate order
 * @param dnsSans the certificate's DNS subject alternative names, in certificate order
 * @param sha256 the lower-case hex SHA-256 of the certificate's DER encoding, or ""
 * @param localUriSans the URI SANs of the listener's own certificate (Envoy's XFCC `By`)
 */
record PeerIdentity(
    String principal,
    boolean certificatePresented,
    String subject,
    List<String> uriSans,
    List<String> dnsSans,
    String sha256,
    List<String> localUriSans) {

  /** A plain-text connection, or TLS without a client certificate: nobody in particular. */
  static final PeerIdentity NONE =
      new PeerIdentity(null, false, "", List.of(), List.of(), "", List.of());

  static final AttributeKey<PeerIdentity> KEY = AttributeKey.valueOf("meshguard.peerIdentity");

  private static final int SAN_DNS = 2;
  private static final int SAN_URI = 6;

  PeerIdentity {
    uriSans = List.copyOf(uriSans);
    dnsSans = List.copyOf(dnsSans);
    localUriSans = List.copyOf(localUriSans);
  }

  /**
   * The identity of the connection {@code ch} belongs to, read from its TLS session the first time
   * and kept on the channel. A stream channel (HTTP/2) reads its parent connection's.
   */
  static PeerIdentity of(Channel ch) {
    Channel connection = ch;
    while (connection.pipeline().get(SslHandler.class) == null && connection.parent() != null) {
      connection = connection.parent();
    }
    PeerIdentity known = connection.attr(KEY).get();
    if (known != null) {
      return known;
    }
    SslHandler tls = connection.pipeline().get(SslHandler.class);
    if (tls == null || !tls.handshakeFuture().isSuccess()) {
      // no handshake (yet): nothing to remember, the next request asks again
      return NONE;
    }
    PeerIdentity read = of(tls.engine().getSession());
    connection.attr(KEY).set(read);
    return read;
  }

  /** The identity a completed TLS session proves. */
  static PeerIdentity of(SSLSession session) {
    List<String> local = uris(firstX509(session.getLocalCertificates()), SAN_URI);
    X509Certificate peer;
    try {
      peer = firstX509(session.getPeerCertificates());
    } catch (SSLPeerUnverifiedException e) {
      // `optional` client auth and no certificate: no identity, whatever the request says
      peer = null;
    }
    return of(peer, local);
  }

  /** The identity a verified client certificate proves; {@code peer} null for none. */
  static PeerIdentity of(X509Certificate peer, List<String> localUriSans) {
    if (peer == null) {
      return new PeerIdentity(null, false, "", List.of(), List.of(), "", localUriSans);
    }
    List<String> uris = uris(peer, SAN_URI);
    return new PeerIdentity(
        SpiffePrincipal.fromUriSans(uris),
        true,
        peer.getSubjectX500Principal().getName(X500Principal.RFC2253),
        uris,
        uris(peer, SAN_DNS),
        sha256(peer),
        localUriSans);
  }

  private static X509Certificate firstX509(Certificate[] chain) {
    return chain != null && chain.length > 0 && chain[0] instanceof X509Certificate x ? x : null;
  }

  private static List<String> uris(X509Certificate cert, int type) {
    if (cert == null) {
      return List.of();
    }
    Collection<List<?>> names;
    try {
      names = cert.getSubjectAlternativeNames();
    } catch (CertificateParsingException e) {
      // a certificate the trust manager accepted but whose SANs do not parse names nobody
      return List.of();
    }
    if (names == null) {
      return List.of();
    }
    List<String> out = new ArrayList<>(1);
    for (List<?> name : names) {
      if (name.size() >= 2
          && name.get(0) instanceof Integer t
          && t == type
          && name.get(1) instanceof String value) {
        out.add(value);
      }
    }
    return out;
  }

  private static String sha256(X509Certificate cert) {
    try {
      return HexFormat.of()
          .formatHex(MessageDigest.getInstance("SHA-256").digest(cert.getEncoded()));
    } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
      return "";
    }
  }
}
