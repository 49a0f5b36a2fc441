package dev.meshguard.proxy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.Headers;
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
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A real HTTP server for proxy tests: by default it echoes what it received as JSON; tests may
 * register their own handlers per path prefix. It records every request and the client ports its
 * connections came from (one port per upstream connection of the proxy).
 */
final class TestUpstream implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();

  /** What the upstream received. */
  record Received(String method, String uri, List<Map.Entry<String, String>> headers, String body) {
    String header(String name) {
      for (Map.Entry<String, String> e : headers) {
        if (e.getKey().equalsIgnoreCase(name)) {
          return e.getValue();
        }
      }
      return null;
    }

    List<String> headers(String name) {
      List<String> out = new ArrayList<>();
      for (Map.Entry<String, String> e : headers) {
        if (e.getKey().equalsIgnoreCase(name)) {
          out.add(e.getValue());
        }
      }
      return out;
    }
  }

  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool();
  final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
  final Set<Integer> clientPorts = ConcurrentHashMap.newKeySet();

  TestUpstream() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 128);
    server.setExecutor(executor);
    server.createContext("/", this::echo);
    server.start();
  }

  /** Adds a handler for a path prefix; it is also recorded (without its body). */
  TestUpstream handle(String prefix, HttpHandler handler) {
    server.createContext(
        prefix,
        exchange -> {
          clientPorts.add(exchange.getRemoteAddress().getPort());
          received.add(
              new Received(
                  exchange.getRequestMethod(),
                  exchange.getRequestURI().getRawPath()
                      + (exchange.getRequestURI().getRawQuery() == null
                          ? ""
                          : "?" + exchange.getRequestURI().getRawQuery()),
                  headerList(exchange.getRequestHeaders()),
                  ""));
          handler.handle(exchange);
        });
    return this;
  }

  private void echo(HttpExchange exchange) throws IOException {
    clientPorts.add(exchange.getRemoteAddress().getPort());
    byte[] body = exchange.getRequestBody().readAllBytes();
    String uri =
        exchange.getRequestURI().getRawPath()
            + (exchange.getRequestURI().getRawQuery() == null
                ? ""
                : "?" + exchange.getRequestURI().getRawQuery());
    Received r =
        new Received(
            exchange.getRequestMethod(),
            uri,
            headerList(exchange.getRequestHeaders()),
            new String(body, StandardCharsets.UTF_8));
    received.add(r);
    byte[] json = JSON.writeValueAsBytes(echoJson(r));
    exchange.getResponseHeaders().set("content-type", "application/json");
    exchange.getResponseHeaders().set("x-upstream", "echo");
    if (exchange.getRequestMethod().equals("HEAD")) {
      exchange.sendResponseHeaders(200, -1);
      exchange.close();
      return;
    }
    exchange.sendResponseHeaders(200, json.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(json);
    }
  }

  int port() {
    return server.getAddress().getPort();
  }

  String url() {
    return "http://127.0.0.1:" + port();
  }

  UpstreamTarget target() {
    return UpstreamTarget.parse(url());
  }

  static List<Map.Entry<String, String>> headerList(Headers headers) {
    List<Map.Entry<String, String>> out = new ArrayList<>();
    for (Map.Entry<String, List<String>> e : headers.entrySet()) {
      for (String v : e.getValue()) {
        out.add(Map.entry(e.getKey(), v));
      }
    }
    return out;
  }

  static void send(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  /** The echo body: method, uri, headers in order, and the body as text. */
  static Map<String, Object> echoJson(Received r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("method", r.method());
    m.put("uri", r.uri());
    List<List<String>> hs = new ArrayList<>();
    for (Map.Entry<String, String> e : r.headers()) {
      hs.add(List.of(e.getKey(), e.getValue()));
    }
    m.put("headers", hs);
    m.put("body", r.body());
    return m;
  }
}
