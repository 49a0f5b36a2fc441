package dev.meshguard.runtime.custom;

import dev.meshguard.engine.CheckRequest;
import dev.meshguard.engine.CustomAnswer;
import dev.meshguard.engine.CustomAuthorizer;
import dev.meshguard.engine.CustomCheck;
import dev.meshguard.engine.ExtAuthzProvider;
import dev.meshguard.jwks.ServiceRoute;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The ext_authz client of CUSTOM policies, as Envoy's ext_authz filter configured by istiod: one
 * transport per provider and route (made by the HTTP or gRPC factory the front end was assembled
 * with), each call bounded by the provider's `timeout`; an error, a timeout, a 5xx or an open
 * circuit is answered as `failOpen` and `statusOnError` say ({@link CustomAnswer#onError}). Calls
 * never block: the transports answer on their own threads, the deadlines run on one timer thread of
 * this client.
 */
public final class CustomAuthorizers implements CustomAuthorizer, AutoCloseable {
  /** How long a replaced transport stays open for the calls still using it. */
  private static final Duration RETIRE_AFTER = Duration.ofSeconds(30);

  /** Deadlines and retirements; nothing else runs here. */
  private final ScheduledThreadPoolExecutor timer;

  private final ProviderCall.Factory http;
  private final ProviderCall.Factory grpc;
  private final ProviderMetrics metrics;
  private final Clock clock;
  private final int circuitOpensAfter;
  private final Map<String, Entry> entries = new ConcurrentHashMap<>();

  private record Key(ExtAuthzProvider provider, ServiceRoute route) {}

  private record Entry(Key key, ProviderCall call, ProviderCircuit circuit) {}

  /**
   * @param http makes `envoyExtAuthzHttp` transports, or null when this front end has none
   * @param grpc makes `envoyExtAuthzGrpc` transports, or null when this front end has none (then
   *     such a provider counts as unreachable)
   */
  public CustomAuthorizers(
      ProviderCall.Factory http, ProviderCall.Factory grpc, ProviderMetrics metrics, Clock clock) {
    this(http, grpc, metrics, clock, ProviderCircuit.OPEN_AFTER);
  }

  /**
   * @param circuitOpensAfter consecutive errors after which a provider is not called for a while;
   *     0: never (every call goes to the provider, as Envoy's ext_authz filter does)
   */
  public CustomAuthorizers(
      ProviderCall.Factory http,
      ProviderCall.Factory grpc,
      ProviderMetrics metrics,
      Clock clock,
      int circuitOpensAfter) {
    this.timer =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, "meshguard-extauthz-timer");
              t.setDaemon(true);
              return t;
            });
    timer.setRemoveOnCancelPolicy(true);
    this.http = http;
    this.grpc = grpc;
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.circuitOpensAfter = circuitOpensAfter;
  }

  @Override
  public CompletableFuture<CustomAnswer> ask(CustomCheck check, CheckRequest request) {
    return ask(check, request, null);
  }

  /**
   * {@code authorizer} for one request whose body was buffered for its check: the body goes to the
   * provider when {@code authorizer} is this client (others cannot send one).
   */
  public static CustomAuthorizer withBody(
      CustomAuthorizer authorizer, ProviderCall.RequestBody body) {
    if (body == null || !(authorizer instanceof CustomAuthorizers client)) {
      return authorizer;
    }
    return (check, request) -> client.ask(check, request, body);
  }

  /**
   * As {@link #ask(CustomCheck, CheckRequest)}, sending {@code body} (`includeRequestBodyInCheck`)
   * when the provider asks for one; null for none.
   */
  public CompletableFuture<CustomAnswer> ask(
      CustomCheck check, CheckRequest request, ProviderCall.RequestBody body) {
    ExtAuthzProvider provider = check.provider();
    if (provider == null) {
      return CompletableFuture.completedFuture(null);
    }
    String name = provider.name();
    Entry entry = entryFor(provider, check.route());
    if (!entry.circuit().allowCall()) {
      metrics.error(name, "circuit_open");
      metrics.result(name, "error");
      return CompletableFuture.completedFuture(
          CustomAnswer.onError(provider, "ext_authz provider `" + name + "`: circuit open"));
    }
    long start = System.nanoTime();
    CompletableFuture<CustomAnswer> call;
    try {
      ProviderCall.RequestBody sent = provider.requestBody() == null ? null : body;
      call = entry.call().call(check, request, sent, provider.timeout());
    } catch (RuntimeException e) {
      call = CompletableFuture.failedFuture(new ProviderError("protocol", e.toString()));
    }
    CompletableFuture<CustomAnswer> result = new CompletableFuture<>();
    CompletableFuture<CustomAnswer> inFlight = call;
    ScheduledFuture<?> deadline =
        timer.schedule(
            () ->
                inFlight.completeExceptionally(
                    new ProviderError(
                        "timeout", "no answer within " + provider.timeout().toMillis() + "ms")),
            provider.timeout().toNanos(),
            TimeUnit.NANOSECONDS);
    result.whenComplete((a, e) -> inFlight.cancel(false)); // the caller gave up
    call.whenComplete(
        (answer, e) -> {
          deadline.cancel(false);
          if (result.isDone()) {
            return; // cancelled by the caller: neither the provider's fault nor its success
          }
          metrics.latency(name, Duration.ofNanos(System.nanoTime() - start));
          if (e == null && answer != null) {
            entry.circuit().success();
            metrics.result(name, answer.allowed() ? "allowed" : "denied");
            result.complete(answer);
            return;
          }
          Throwable cause =
              e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
          if (cause instanceof CancellationException) {
            return;
          }
          entry.circuit().error();
          String kind = cause instanceof ProviderError pe ? pe.kind() : "protocol";
          metrics.error(name, kind);
          metrics.result(name, "error");
          String why = cause == null ? "no answer" : cause.getMessage();
          result.complete(
              CustomAnswer.onError(provider, "ext_authz provider `" + name + "`: " + why));
        });
    return result;
  }

  private Entry entryFor(ExtAuthzProvider provider, ServiceRoute route) {
    Key key = new Key(provider, route);
    Entry current = entries.get(provider.name());
    if (current != null && current.key().equals(key)) {
      return current;
    }
    return entries.compute(
        provider.name(),
        (name, old) -> {
          if (old != null && old.key().equals(key)) {
            return old;
          }
          if (old != null) {
            ProviderCall retired = old.call();
            retireLater(retired);
          }
          return new Entry(
              key, transport(provider, route), new ProviderCircuit(clock, circuitOpensAfter));
        });
  }

  private ProviderCall transport(ExtAuthzProvider provider, ServiceRoute route) {
    ServiceRoute r =
        route != null
            ? route
            : new ServiceRoute(
                provider.service(), provider.port(), java.util.List.of(), null, "none", "no route");
    boolean isHttp = provider.protocol() == ExtAuthzProvider.Protocol.HTTP;
    ProviderCall.Factory factory = isHttp ? http : grpc;
    if (factory == null) {
      return new Unavailable(
          (isHttp ? "HTTP" : "gRPC") + " ext_authz providers are not supported here");
    }
    return factory.create(provider, r);
  }

  // a retirement that no longer runs because the client closed has closed the transport already
  @SuppressWarnings("FutureReturnValueIgnored")
  private void retireLater(ProviderCall retired) {
    try {
      timer.schedule(retired::close, RETIRE_AFTER.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException closing) {
      retired.close();
    }
  }

  /** A transport that cannot be made: every call is an error. */
  private record Unavailable(String why) implements ProviderCall {
    @Override
    public CompletableFuture<CustomAnswer> call(
        CustomCheck check, CheckRequest request, RequestBody body, Duration deadline) {
      return CompletableFuture.failedFuture(new ProviderError("connect", why));
    }

    @Override
    public void close() {}
  }

  @Override
  public void close() {
    for (Entry e : entries.values()) {
      e.call().close();
    }
    entries.clear();
    timer.shutdownNow();
    if (http != null) {
      http.close();
    }
    if (grpc != null) {
      grpc.close();
    }
  }
}
