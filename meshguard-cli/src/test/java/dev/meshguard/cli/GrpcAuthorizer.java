package dev.meshguard.cli;

import io.envoyproxy.envoy.service.auth.v3.AuthorizationGrpc;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A real gRPC ext_authz server for tests (`envoy.service.auth.v3.Authorization`, implemented with
 * grpc-java as an OPA or a custom authorizer would): keeps every CheckRequest it gets and answers
 * as the test says.
 */
final class GrpcAuthorizer implements AutoCloseable {
  private final Server server;
  private final BlockingQueue<CheckRequest> received = new LinkedBlockingQueue<>();
  private volatile Function<CheckRequest, CheckResponse> answer;

  GrpcAuthorizer(Function<CheckRequest, CheckResponse> answer) throws IOException {
    this(answer, null, null);
  }

  /** Over TLS with the certificate chain and key in these PEM files (both null: plaintext). */
  GrpcAuthorizer(Function<CheckRequest, CheckResponse> answer, Path chainPem, Path keyPem)
      throws IOException {
    this.answer = answer;
    NettyServerBuilder builder =
        NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    if (chainPem != null) {
      builder.sslContext(GrpcSslContexts.forServer(chainPem.toFile(), keyPem.toFile()).build());
    }
    server =
        builder
            .addService(
                new AuthorizationGrpc.AuthorizationImplBase() {
                  @Override
                  public void check(CheckRequest request, StreamObserver<CheckResponse> out) {
                    received.add(request);
                    out.onNext(GrpcAuthorizer.this.answer.apply(request));
                    out.onCompleted();
                  }
                })
            .build()
            .start();
  }

  int port() {
    return server.getPort();
  }

  /** The next CheckRequest received, waiting at most 10 s (a hang guard), or null. */
  CheckRequest next() throws InterruptedException {
    return received.poll(10, TimeUnit.SECONDS);
  }

  /** Forgets the calls received so far. */
  void clear() {
    received.clear();
  }

  @Override
  public void close() throws InterruptedException {
    server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
  }
}
