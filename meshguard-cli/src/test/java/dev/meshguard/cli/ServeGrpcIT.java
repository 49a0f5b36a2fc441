package dev.meshguard.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.meshguard.testing.MeshCa;
import io.grpc.CallOptions;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsServerCredentials;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.ServerCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * gRPC end to end on the real jar: a grpc-java client → `serve` → a grpc-java server behind TLS
 * signed by a private CA (`--upstream h2://… --upstream-ca --upstream-sni`). Allowed calls arrive
 * (unary and server streaming, trailers and all); denials come back as Envoy answers gRPC: HTTP
 * 200, trailers-only, `grpc-status` from the HTTP status, the body as `grpc-message`.
 */
class ServeGrpcIT {
  private static final TestTokens TOKENS = new TestTokens();
  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  /** A service defined without protoc: UTF-8 strings on the wire. */
  private static final MethodDescriptor.Marshaller<String> TEXT =
      new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(String value) {
          return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String parse(InputStream stream) {
          try {
            return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
      };

  private static final MethodDescriptor<String, String> SAY = unary("test.Echo/Say");
  private static final MethodDescriptor<String, String> FORBIDDEN = unary("test.Echo/Forbidden");
  private static final MethodDescriptor<String, String> COUNT =
      MethodDescriptor.<String, String>newBuilder(TEXT, TEXT)
          .setType(MethodDescriptor.MethodType.SERVER_STREAMING)
          .setFullMethodName("test.Echo/Count")
          .build();

  @TempDir static Path dir;
  private static Server server;
  private static MeshguardProcess serve;
  private static ManagedChannel channel;
  private static final BlockingQueue<String> calls = new LinkedBlockingQueue<>();

  private static MethodDescriptor<String, String> unary(String name) {
    return MethodDescriptor.<String, String>newBuilder(TEXT, TEXT)
        .setType(MethodDescriptor.MethodType.UNARY)
        .setFullMethodName(name)
        .build();
  }

  @BeforeAll
  static void start() throws Exception {
    MeshCa ca = MeshCa.create("grpc upstream CA");
    Path caPem = ca.writeCaPem(dir);
    MeshCa.Issued issued = ca.issueServer(List.of("grpc.upstream.test"), List.of());
    Path crt = issued.writeChainPem(dir);
    Path key = issued.writeKeyPem(dir);
    server =
        Grpc.newServerBuilderForPort(
                0, TlsServerCredentials.newBuilder().keyManager(crt.toFile(), key.toFile()).build())
            .addService(
                ServerServiceDefinition.builder("test.Echo")
                    .addMethod(
                        SAY,
                        ServerCalls.asyncUnaryCall(
                            (req, out) -> {
                              calls.add("Say:" + req);
                              out.onNext("hello " + req);
                              out.onCompleted();
                            }))
                    .addMethod(
                        FORBIDDEN,
                        ServerCalls.asyncUnaryCall(
                            (req, out) -> {
                              calls.add("Forbidden:" + req);
                              out.onNext("should not happen");
                              out.onCompleted();
                            }))
                    .addMethod(
                        COUNT,
                        ServerCalls.asyncServerStreamingCall(
                            (req, out) -> {
                              calls.add("Count:" + req);
                              for (int i = 1; i <= Integer.parseInt(req); i++) {
                                out.onNext("n" + i);
                              }
                              out.onCompleted();
                            }))
                    .build())
            .build()
            .start();

    Path config = dir.resolve("policy.yaml");
    Files.writeString(
        config,
        """
        apiVersion: security.istio.io/v1
        kind: RequestAuthentication
        metadata:
          name: jwt
          namespace: grpc
        spec:
          jwtRules:
          - issuer: %s
            jwks: '%s'
        ---
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata:
          name: callers
          namespace: grpc
        spec:
          action: ALLOW
          rules:
          - from:
            - source:
                requestPrincipals: ["*"]
            to:
            - operation:
                paths: ["/test.Echo/*"]
        ---
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata:
          name: no-forbidden
          namespace: grpc
        spec:
          action: DENY
          rules:
          - to:
            - operation:
                paths: ["/test.Echo/Forbidden"]
        """
            .formatted(TestTokens.ISSUER, TOKENS.jwks()));
    serve =
        MeshguardProcess.start(
            "serve",
            "--config",
            config.toString(),
            "--namespace",
            "grpc",
            "--upstream",
            "h2://127.0.0.1:" + server.getPort(),
            "--upstream-ca",
            caPem.toString(),
            "--upstream-sni",
            "grpc.upstream.test",
            "--listen",
            "127.0.0.1:0",
            "--access-log",
            "off");
    InetSocketAddress proxy = serve.listenAddress();
    channel =
        Grpc.newChannelBuilderForAddress(
                "127.0.0.1", proxy.getPort(), InsecureChannelCredentials.create())
            .build();
  }

  @AfterAll
  static void stop() throws Exception {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (serve != null) {
      assertThat(serve.terminate()).isZero();
    }
    if (server != null) {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private static io.grpc.Channel authed(String token) {
    Metadata headers = new Metadata();
    if (token != null) {
      headers.put(AUTHORIZATION, "Bearer " + token);
    }
    return io.grpc.ClientInterceptors.intercept(
        channel, MetadataUtils.newAttachHeadersInterceptor(headers));
  }

  private static String unaryCall(
      MethodDescriptor<String, String> method, String token, String request) {
    return ClientCalls.blockingUnaryCall(
        authed(token),
        method,
        CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS),
        request);
  }

  @Test
  void allowedUnaryCallReachesTheServer() {
    calls.clear();
    String token = TOKENS.sign(TestTokens.KID, TOKENS.claims().build());
    assertThat(unaryCall(SAY, token, "alice")).isEqualTo("hello alice");
    assertThat(calls).containsExactly("Say:alice");
  }

  @Test
  void serverStreamingCall() {
    calls.clear();
    String token = TOKENS.sign(TestTokens.KID, TOKENS.claims().build());
    Iterator<String> it =
        ClientCalls.blockingServerStreamingCall(
            authed(token), COUNT, CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS), "5");
    List<String> got = new ArrayList<>();
    it.forEachRemaining(got::add);
    assertThat(got).containsExactly("n1", "n2", "n3", "n4", "n5");
  }

  @Test
  void invalidTokenIsUnauthenticated() {
    calls.clear();
    String bad = TestTokens.tamper(TOKENS.sign(TestTokens.KID, TOKENS.claims().build()));
    StatusRuntimeException e =
        catchThrowableOfType(StatusRuntimeException.class, () -> unaryCall(SAY, bad, "mallory"));
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(e.getStatus().getDescription()).isEqualTo("Jwt verification fails");
    assertThat(calls).isEmpty();
  }

  @Test
  void deniedByPolicyIsPermissionDenied() {
    calls.clear();
    String token = TOKENS.sign(TestTokens.KID, TOKENS.claims().build());
    StatusRuntimeException e =
        catchThrowableOfType(
            StatusRuntimeException.class, () -> unaryCall(FORBIDDEN, token, "alice"));
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(e.getStatus().getDescription()).isEqualTo("RBAC: access denied");
    StatusRuntimeException anonymous =
        catchThrowableOfType(StatusRuntimeException.class, () -> unaryCall(SAY, null, "anon"));
    assertThat(anonymous.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(calls).isEmpty();
  }
}
