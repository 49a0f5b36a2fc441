package dev.meshguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A real upstream for the end-to-end tests: answers every request with a JSON echo of its method,
 * request target, headers (in order) and body, and keeps what it received for the test to check.
 */
final class EchoUpstream implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();

  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool();
  final BlockingQueue<JsonNode> received = new LinkedBlockingQueue<>();

  EchoUpstream() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
    server.setExecutor(executor);
    server.createContext("/", this::echo);
    server.start();
  }

  EchoUpstream handle(String prefix, HttpHandler handler) {
    server.createContext(prefix, handler);
    return this;
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  private void echo(HttpExchange ex) throws IOException {
    byte[] body = ex.getRequestBody().readAllBytes();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("method", ex.getRequestMethod());
    m.put(
        "uri",
        ex.getRequestURI().getRawPath()
            + (ex.getRequestURI().getRawQuery() == null
                ? ""
                : "?" + ex.getRequestURI().getRawQuery()));
    List<List<String>> headers = new ArrayList<>();
    for (Map.Entry<String, List<String>> e : ex.getRequestHeaders().entrySet()) {
      for (String v : e.getValue()) {
        headers.add(List.of(e.getKey().toLowerCase(java.util.Locale.ROOT), v));
      }
    }
    m.put("headers", headers);
    m.put("body", new String(body, StandardCharsets.UTF_8));
    byte[] json = JSON.writeValueAsBytes(m);
    received.add(JSON.readTree(json));
    ex.getResponseHeaders().set("content-type", "application/json");
    ex.sendResponseHeaders(200, json.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(json);
    }
  }

  /** The value of a header in an echo, or null. */
  /** The echo of the request for {@code uri}, waiting up to 10 s; other requests are skipped. */
  JsonNode awaitRequest(String uri) throws InterruptedException {
    while (true) {
      JsonNode echo = received.poll(10, TimeUnit.SECONDS);
      assertThat(echo).as("the upstream got " + uri).isNotNull();
      if (echo.path("uri").asText().equals(uri)) {
        return echo;
      }
    }
  }

  static String header(JsonNode echo, String name) {
    for (JsonNode h : echo.get("headers")) {
      if (h.get(0).asText().equalsIgnoreCase(name)) {
        return h.get(1).asText();
      }
    }
    return null;
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
