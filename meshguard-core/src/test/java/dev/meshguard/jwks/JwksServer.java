package dev.meshguard.jwks;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSession;

/**
 * A JWKS endpoint on loopback (HTTP or HTTPS) whose answers the test changes while it runs, and
 * which counts the requests it gets.
 */
public final class JwksServer implements AutoCloseable {

  /** One answer: status and body; {@code chunked} sends no Content-Length. */
  public record Reply(int status, String body, boolean chunked) {
    public static Reply ok(String body) {
      return new Reply(200, body, false);
    }
  }

  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final Map<String, Reply> replies = new ConcurrentHashMap<>();
  private final AtomicReference<Reply> fallback = new AtomicReference<>(new Reply(404, "", false));
  private final AtomicInteger requests = new AtomicInteger();
  private final List<String> hosts = new CopyOnWriteArrayList<>();
  private final List<String> serverNames = new CopyOnWriteArrayList<>();
  private final AtomicReference<CountDownLatch> gate = new AtomicReference<>();

  private JwksServer(HttpServer server) {
    this.server = server;
    server.createContext("/", this::handle);
    server.setExecutor(executor);
    server.start();
  }

  public static JwksServer http() throws IOException {
    return http(0);
  }

  static JwksServer http(int port) throws IOException {
    return new JwksServer(
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0));
  }

  static JwksServer https(SSLContext context) throws IOException {
    HttpsServer server =
        HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setHttpsConfigurator(
        new HttpsConfigurator(context) {
          @Override
          public void configure(HttpsParameters params) {
            params.setSSLParameters(context.getDefaultSSLParameters());
          }
        });
    return new JwksServer(server);
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** Answers {@code path} with {@code reply}. */
  public JwksServer on(String path, Reply reply) {
    replies.put(path, reply);
    return this;
  }

  /** Answers every other path with {@code reply}. */
  JwksServer otherwise(Reply reply) {
    fallback.set(reply);
    return this;
  }

  /** Requests block (after being counted) until {@link #release()}. */
  public void hold() {
    gate.set(new CountDownLatch(1));
  }

  public void release() {
    CountDownLatch latch = gate.getAndSet(null);
    if (latch != null) {
      latch.countDown();
    }
  }

  public int requests() {
    return requests.get();
  }

  /** `Host` headers received. */
  List<String> hosts() {
    return List.copyOf(hosts);
  }

  /** SNI names received over TLS (empty string when a client sent none). */
  List<String> serverNames() {
    return List.copyOf(serverNames);
  }

  private void handle(HttpExchange exchange) throws IOException {
    requests.incrementAndGet();
    hosts.add(String.valueOf(exchange.getRequestHeaders().getFirst("Host")));
    if (exchange instanceof HttpsExchange https) {
      serverNames.add(sni(https.getSSLSession()));
    }
    CountDownLatch latch = gate.get();
    if (latch != null) {
      try {
        latch.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    Reply reply = replies.getOrDefault(exchange.getRequestURI().getPath(), fallback.get());
    byte[] body = reply.body().getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    try (OutputStream out = exchange.getResponseBody()) {
      exchange.sendResponseHeaders(reply.status(), reply.chunked() ? 0 : body.length);
      out.write(body);
    } catch (IOException e) {
      // the client gave up (timeout test): nothing to do
    }
  }

  private static String sni(SSLSession session) {
    if (session instanceof ExtendedSSLSession extended) {
      for (SNIServerName name : extended.getRequestedServerNames()) {
        if (name instanceof SNIHostName host) {
          return host.getAsciiName();
        }
      }
    }
    return "";
  }

  @Override
  public void close() {
    release();
    server.stop(0);
    executor.shutdownNow();
  }
}
