package dev.meshguard.runtime;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.meshguard.jwks.JwksSourceHealth;
import dev.meshguard.policy.Finding;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The admin listener: `/healthz/ready`, `/stats/prometheus`, `/config_dump`. Low traffic, so the
 * JDK's HTTP server on one thread is enough; keep it on a loopback or internal address.
 *
 * <p>`/healthz/ready` answers 200 once a configuration is in force (this server starts only after
 * one loaded) and 503 while draining, with a JSON body: `status` (`LIVE` or `DRAINING`) and `jwks`,
 * the health of every remote key source in use (issuer, URL, status, keys loaded, last success,
 * last failure and its error). An identity provider that is down, or never answered, does not make
 * readiness fail: requests without a token still pass as Istio lets them, other issuers' tokens
 * still verify, and a failing readiness would take the whole gateway out of rotation for one bad
 * issuer, where Istio's gateway stays ready. So the status code stays about this process; the body
 * says which issuers cannot verify tokens now (status `FAILED`), for people and for alerts, and
 * `/stats/prometheus` carries the same as `meshguard_jwks_up`.
 */
public final class AdminServer implements Closeable {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final HttpServer server;
  private final ExecutorService executor;
  private final LiveConfig config;
  private final MeshguardMetrics metrics;
  private final BooleanSupplier draining;
  private final Map<String, Object> info;
  private final Supplier<Map<String, Object>> live;
  private final Supplier<List<JwksSourceHealth>> keyHealth;
  private final Supplier<Map<String, Object>> readinessDetail;

  private AdminServer(
      InetSocketAddress address,
      LiveConfig config,
      MeshguardMetrics metrics,
      BooleanSupplier draining,
      Map<String, Object> info,
      Supplier<Map<String, Object>> live,
      Supplier<List<JwksSourceHealth>> keyHealth,
      Supplier<Map<String, Object>> readinessDetail)
      throws IOException {
    this.readinessDetail = readinessDetail;
    this.config = config;
    this.metrics = metrics;
    this.draining = draining;
    this.info = Map.copyOf(info);
    this.live = live;
    this.keyHealth = keyHealth;
    this.server = HttpServer.create(address, 64);
    this.executor =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "meshguard-admin");
              t.setDaemon(true);
              return t;
            });
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
  }

  /** Starts the admin listener without remote key sources. */
  public static AdminServer start(
      InetSocketAddress address,
      LiveConfig config,
      MeshguardMetrics metrics,
      BooleanSupplier draining,
      Map<String, Object> info,
      Supplier<Map<String, Object>> live)
      throws IOException {
    return start(address, config, metrics, draining, info, live, List::of);
  }

  /**
   * Starts the admin listener.
   *
   * @param draining true once shutdown began: readiness then fails so load balancers move away
   * @param info fixed facts shown in `/config_dump` (upstream, listen address, demo keys...)
   * @param live further facts computed at each `/config_dump`, or null
   * @param keyHealth the remote key sources in use, for `/healthz/ready` and `/config_dump`
   */
  public static AdminServer start(
      InetSocketAddress address,
      LiveConfig config,
      MeshguardMetrics metrics,
      BooleanSupplier draining,
      Map<String, Object> info,
      Supplier<Map<String, Object>> live,
      Supplier<List<JwksSourceHealth>> keyHealth)
      throws IOException {
    return start(address, config, metrics, draining, info, live, keyHealth, null);
  }

  /**
   * Starts the admin listener.
   *
   * @param readinessDetail further facts for the `/healthz/ready` body (the Kubernetes watch), or
   *     null; like key health, detail only: it never makes readiness fail
   */
  public static AdminServer start(
      InetSocketAddress address,
      LiveConfig config,
      MeshguardMetrics metrics,
      BooleanSupplier draining,
      Map<String, Object> info,
      Supplier<Map<String, Object>> live,
      Supplier<List<JwksSourceHealth>> keyHealth,
      Supplier<Map<String, Object>> readinessDetail)
      throws IOException {
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(metrics, "metrics");
    Objects.requireNonNull(draining, "draining");
    Objects.requireNonNull(keyHealth, "keyHealth");
    return new AdminServer(
        address, config, metrics, draining, info, live, keyHealth, readinessDetail);
  }

  public InetSocketAddress address() {
    return server.getAddress();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String method = exchange.getRequestMethod();
      if (!method.equals("GET") && !method.equals("HEAD")) {
        send(exchange, 405, "text/plain", "method not allowed\n");
        return;
      }
      switch (exchange.getRequestURI().getPath()) {
        case "/healthz/ready" -> {
          // a LiveConfig only exists once a configuration loaded without errors
          boolean ready = !draining.getAsBoolean();
          send(exchange, ready ? 200 : 503, "application/json", readiness(ready));
        }
        case "/stats/prometheus" ->
            send(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.scrape());
        case "/config_dump" -> send(exchange, 200, "application/json", configDump());
        default -> send(exchange, 404, "text/plain", "not found\n");
      }
    }
  }

  /** The JSON of `/healthz/ready`; key health is detail, never a reason to be unready. */
  String readiness(boolean ready) throws JsonProcessingException {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("status", ready ? "LIVE" : "DRAINING");
    out.put("jwks", RemoteKeyHealth.summary(keyHealth.get()));
    if (readinessDetail != null) {
      out.putAll(readinessDetail.get());
    }
    return JSON.writeValueAsString(out) + "\n";
  }

  /** The JSON of `/config_dump`. */
  String configDump() throws JsonProcessingException {
    Map<String, Object> out = new LinkedHashMap<>();
    out.putAll(info);
    out.put("jwks", RemoteKeyHealth.detail(keyHealth.get()));
    if (live != null) {
      out.putAll(live.get());
    }
    out.put("config", config.current().dump());
    List<Map<String, Object>> findings = new ArrayList<>();
    for (Finding f : config.findings()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("severity", f.severity().name());
      m.put("file", f.file());
      m.put("document", f.document());
      m.put("field", f.field());
      m.put("message", f.message());
      m.put("text", f.format());
      findings.add(m);
    }
    out.put("findings", findings);
    out.put("last_reload", status(config.lastReload()));
    out.put("last_reload_error", status(config.lastError()));
    return JSON.writeValueAsString(out) + "\n";
  }

  private static Map<String, Object> status(LiveConfig.ReloadStatus s) {
    if (s == null) {
      return null;
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("time", s.time().toString());
    m.put("ok", s.ok());
    m.put("errors", s.errors());
    return m;
  }

  private static void send(HttpExchange exchange, int status, String type, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("content-type", type);
    boolean head = exchange.getRequestMethod().equals("HEAD");
    exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
    if (!head) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
