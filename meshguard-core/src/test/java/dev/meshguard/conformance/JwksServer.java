package dev.meshguard.conformance;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A real HTTP server on 127.0.0.1 that serves the corpus' generated key sets, so that `jwksUri`
 * rules are fetched over the network like in a mesh: `/jwks?keys=<spec>` answers the JWKS of
 * `${jwks:<spec>}`, `/status/<code>` answers that status with an empty body. Started on first use
 * and shared by every runner of the test JVM.
 */
final class JwksServer {
  private static HttpServer server;

  private JwksServer() {}

  /** The URL that serves `${jwks:spec}`. */
  static String jwksUrl(String spec) {
    return base() + "/jwks?keys=" + URLEncoder.encode(spec, StandardCharsets.UTF_8);
  }

  /** A URL that always answers {@code status}. */
  static String statusUrl(String status) {
    return base() + "/status/" + Integer.parseInt(status);
  }

  private static synchronized String base() {
    if (server == null) {
      try {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      server.createContext("/jwks", JwksServer::jwks);
      server.createContext("/status/", JwksServer::status);
      ExecutorService executor =
          Executors.newCachedThreadPool(
              r -> {
                Thread t = new Thread(r, "conformance-jwks-server");
                t.setDaemon(true);
                return t;
              });
      server.setExecutor(executor);
      // The dispatcher thread inherits daemon status from the thread that starts the server, so
      // start it from a daemon thread: the server must never keep the test JVM alive.
      Thread starter = new Thread(server::start, "conformance-jwks-server-start");
      starter.setDaemon(true);
      starter.start();
      try {
        starter.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while starting the key server", e);
      }
    }
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  private static void jwks(HttpExchange exchange) throws IOException {
    String query = exchange.getRequestURI().getRawQuery();
    if (query == null || !query.startsWith("keys=")) {
      send(exchange, 404, "");
      return;
    }
    String spec = URLDecoder.decode(query.substring("keys=".length()), StandardCharsets.UTF_8);
    send(exchange, 200, Placeholders.resolve("${jwks:" + spec + "}"));
  }

  private static void status(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getPath();
    send(exchange, Integer.parseInt(path.substring(path.lastIndexOf('/') + 1)), "");
  }

  private static void send(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }
}
