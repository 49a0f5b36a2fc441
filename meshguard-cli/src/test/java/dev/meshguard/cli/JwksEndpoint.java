package dev.meshguard.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An identity provider's JWKS endpoint on loopback for the end-to-end tests: answers what the test
 * sets now (keys, or an error status), counts the fetches it gets, and can hold its answers until
 * the test releases them (a slow endpoint whose slowness the test controls).
 */
final class JwksEndpoint implements AutoCloseable {
  /** How long a held answer waits at most: a hang guard, never reached by a passing test. */
  private static final long HOLD_GUARD_SECONDS = 60;

  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final AtomicInteger fetches = new AtomicInteger();
  private volatile int status = 200;
  private volatile String body = "{\"keys\":[]}";
  private volatile CountDownLatch hold;

  JwksEndpoint() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    server.setExecutor(executor);
    server.createContext("/", this::answer);
    server.start();
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/jwks";
  }

  /** From now on, answers 200 with {@code jwks}. */
  JwksEndpoint serve(String jwks) {
    body = jwks;
    status = 200;
    return this;
  }

  /** From now on, answers {@code status} with a short body. */
  JwksEndpoint fail(int status) {
    body = "upstream identity provider trouble";
    this.status = status;
    return this;
  }

  /** Holds every answer until {@link #release()}. */
  JwksEndpoint hold() {
    hold = new CountDownLatch(1);
    return this;
  }

  void release() {
    CountDownLatch h = hold;
    if (h != null) {
      h.countDown();
    }
  }

  /** Requests received so far (counted on arrival, before any hold). */
  int fetches() {
    return fetches.get();
  }

  /** Waits until at least {@code n} requests arrived; fails after a generous hang guard. */
  void awaitFetches(int n) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (fetches.get() < n) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the JWKS endpoint got " + fetches.get() + " requests, not " + n);
      }
      Thread.sleep(10);
    }
  }

  private void answer(HttpExchange exchange) throws IOException {
    try (exchange) {
      fetches.incrementAndGet();
      exchange.getRequestBody().readAllBytes();
      CountDownLatch h = hold;
      if (h != null) {
        try {
          h.await(HOLD_GUARD_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      exchange
          .getResponseHeaders()
          .set("content-type", status == 200 ? "application/json" : "text/plain");
      exchange.sendResponseHeaders(status, bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  @Override
  public void close() {
    release();
    server.stop(0);
    executor.shutdownNow();
  }
}
