package dev.meshguard.extauthz;

import dev.meshguard.engine.CheckRequest;
import dev.meshguard.engine.CustomAnswer;
import dev.meshguard.engine.CustomCheck;
import dev.meshguard.engine.ExtAuthzProvider;
import dev.meshguard.jwks.ServiceRoute;
import dev.meshguard.runtime.custom.ProviderCall;
import dev.meshguard.runtime.custom.ProviderError;
import io.envoyproxy.envoy.service.auth.v3.AuthorizationGrpc;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.stub.StreamObserver;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * An `envoyExtAuthzGrpc` provider: `Authorization/Check` over one gRPC channel (HTTP/2, its
 * connection kept and multiplexed), called with the async stub and a deadline of the provider's
 * `timeout`, so no thread waits for the answer. The channel's authority is the service host, as
 * istiod sets it.
 */
public final class GrpcProviderCall implements ProviderCall {
  private final ServiceRoute route;
  private final ManagedChannel channel;
  private final String unusable;
  private final Clock clock;

  private GrpcProviderCall(ServiceRoute route, ManagedChannel channel, String unusable) {
    this.route = route;
    this.channel = channel;
    this.unusable = unusable;
    this.clock = Clock.systemUTC();
  }

  /** The factory for {@code CustomAuthorizers}. */
  public static ProviderCall.Factory factory() {
    return GrpcProviderCall::create;
  }

  static ProviderCall create(ExtAuthzProvider provider, ServiceRoute route) {
    if (route.error() != null || route.dials().isEmpty()) {
      return new GrpcProviderCall(
          route, null, "service " + route.describe() + " cannot be reached");
    }
    ServiceRoute.Dial dial = route.dials().get(0);
    NettyChannelBuilder builder =
        NettyChannelBuilder.forAddress(dial.host(), dial.port()).overrideAuthority(route.host());
    if (route.tls() == null) {
      builder.usePlaintext();
    } else {
      try {
        // the JVM's CAs plus caCertificates, and subjectAltNames, as the HTTP provider's client
        SslContextBuilder tls =
            GrpcSslContexts.forClient()
                .trustManager(new ProviderTrust(route.tls().trustManager(), route.tls()));
        builder.sslContext(tls.build());
        if (route.tls().sni() != null) {
          builder.overrideAuthority(route.tls().sni());
        }
      } catch (java.io.IOException | RuntimeException e) {
        return new GrpcProviderCall(route, null, "tls: " + e.getMessage());
      }
    }
    return new GrpcProviderCall(route, builder.build(), null);
  }

  @Override
  public CompletableFuture<CustomAnswer> call(
      CustomCheck check, CheckRequest request, RequestBody body, Duration deadline) {
    CompletableFuture<CustomAnswer> answer = new CompletableFuture<>();
    if (channel == null) {
      answer.completeExceptionally(new ProviderError("connect", unusable));
      return answer;
    }
    io.envoyproxy.envoy.service.auth.v3.CheckRequest message =
        GrpcCheckMessages.request(check, request, body, clock.instant());
    io.grpc.Context.CancellableContext context = io.grpc.Context.current().withCancellation();
    answer.whenComplete((a, e) -> context.cancel(null)); // a call given up is cancelled
    context.run(
        () ->
            AuthorizationGrpc.newStub(channel)
                .withDeadlineAfter(deadline.toNanos(), TimeUnit.NANOSECONDS)
                .check(
                    message,
                    new StreamObserver<>() {
                      @Override
                      public void onNext(CheckResponse response) {
                        try {
                          answer.complete(GrpcCheckMessages.answer(response));
                        } catch (RuntimeException e) {
                          answer.completeExceptionally(
                              new ProviderError("protocol", "unreadable CheckResponse", e));
                        }
                      }

                      @Override
                      public void onError(Throwable t) {
                        Status status = Status.fromThrowable(t);
                        String kind =
                            status.getCode() == Status.Code.DEADLINE_EXCEEDED
                                ? "timeout"
                                : status.getCode() == Status.Code.UNAVAILABLE
                                    ? "connect"
                                    : "status";
                        answer.completeExceptionally(
                            new ProviderError(
                                kind, "grpc " + status.getCode() + " from " + route.describe()));
                      }

                      @Override
                      public void onCompleted() {
                        answer.completeExceptionally(
                            new ProviderError("protocol", "no CheckResponse"));
                      }
                    }));
    return answer;
  }

  @Override
  public void close() {
    if (channel != null) {
      channel.shutdownNow();
    }
  }
}
