package dev.meshguard.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshguard.engine.CheckRequest;
import dev.meshguard.runtime.MeshguardMetrics;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.handler.ssl.util.SelfSignedCertificate;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;

/** The optional TLS listener: the engine sees `https` and the SNI; the upstream gets XFP https. */
class TlsListenerTest {
  @Test
  void httpsRequestsAreDecidedWithSchemeAndSni() throws Exception {
    SelfSignedCertificate cert = new SelfSignedCertificate("gateway.test");
    SslContext tls = SslContextBuilder.forServer(cert.certificate(), cert.privateKey()).build();
    BlockingQueue<CheckRequest> seen = new LinkedBlockingQueue<>();
    try (TestUpstream upstream = new TestUpstream()) {
      ProxyServer proxy =
          ProxyServer.start(
              ProxyOptions.builder(
                      new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), upstream.target())
                  .build(),
              TestDecisions::emptySnapshot,
              (s, r) -> {
                seen.add(r);
                return TestDecisions.byPath(s, r);
              },
              new MeshguardMetrics(),
              AccessLog.off(),
              tls);
      try {
        SSLContext client = SSLContext.getInstance("TLS");
        client.init(null, InsecureTrustManagerFactory.INSTANCE.getTrustManagers(), null);
        try (SSLSocket socket =
            (SSLSocket)
                client
                    .getSocketFactory()
                    .createSocket(proxy.address().getAddress(), proxy.address().getPort())) {
          SSLParameters params = socket.getSSLParameters();
          params.setServerNames(List.of(new SNIHostName("gateway.test")));
          socket.setSSLParameters(params);
          OutputStream out = socket.getOutputStream();
          out.write(
              "GET /jwt HTTP/1.1\r\nHost: gateway.test\r\n\r\n"
                  .getBytes(StandardCharsets.US_ASCII));
          out.flush();
          InputStream in = socket.getInputStream();
          String head = new String(in.readNBytes(12), StandardCharsets.US_ASCII);
          assertThat(head).isEqualTo("HTTP/1.1 401");
        }
        CheckRequest r = seen.poll(5, TimeUnit.SECONDS);
        assertThat(r.scheme()).isEqualTo("https");
        assertThat(r.sni()).isEqualTo("gateway.test");
        assertThat(r.headers().joined("x-forwarded-proto")).isEqualTo("https");
      } finally {
        proxy.close();
      }
    } finally {
      cert.delete();
    }
  }
}
