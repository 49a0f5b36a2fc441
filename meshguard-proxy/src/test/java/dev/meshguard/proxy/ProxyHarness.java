package dev.meshguard.proxy;

import dev.meshguard.runtime.Decider;
import dev.meshguard.runtime.MeshguardMetrics;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;

/** A proxy in front of an upstream, with the access log captured. */
final class ProxyHarness implements AutoCloseable {
  final ProxyServer proxy;
  final MeshguardMetrics metrics = new MeshguardMetrics();
  final BlockingQueue<AccessLogEntry> log = new LinkedBlockingQueue<>();
  final HttpClient client =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(10))
          .build();

  ProxyHarness(UpstreamTarget upstream, Decider decider, Consumer<ProxyOptions.Builder> tweak)
      throws IOException {
    ProxyOptions.Builder b =
        ProxyOptions.builder(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), upstream)
            .ioThreads(2);
    tweak.accept(b);
    AccessLog capture =
        new AccessLog() {
          @Override
          public void log(AccessLogEntry entry) {
            log.add(entry);
          }
        };
    proxy =
        ProxyServer.start(b.build(), TestDecisions::emptySnapshot, decider, metrics, capture, null);
  }

  ProxyHarness(UpstreamTarget upstream) throws IOException {
    this(upstream, TestDecisions::byPath, b -> {});
  }

  InetSocketAddress address() {
    return proxy.address();
  }

  String url(String path) {
    return "http://127.0.0.1:" + proxy.address().getPort() + path;
  }

  HttpResponse<String> get(String path, String... headers) throws Exception {
    HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(url(path))).GET();
    for (int i = 0; i < headers.length; i += 2) {
      r.header(headers[i], headers[i + 1]);
    }
    return client.send(r.build(), HttpResponse.BodyHandlers.ofString());
  }

  RawHttp raw() throws IOException {
    return new RawHttp(proxy.address());
  }

  @Override
  public void close() {
    proxy.shutdown(Duration.ofSeconds(1));
  }
}
