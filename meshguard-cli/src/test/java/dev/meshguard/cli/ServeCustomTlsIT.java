package dev.meshguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshguard.fixtures.HttpAuthorizer;
import dev.meshguard.fixtures.HttpAuthorizer.Reply;
import dev.meshguard.testing.MeshCa;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import io.envoyproxy.envoy.service.auth.v3.OkHttpResponse;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CUSTOM providers reached over TLS, as a DestinationRule with `tls.mode: SIMPLE` asks, through the
 * real `serve` (the shaded jar): an HTTP and a gRPC authorizer whose certificate a private mesh CA
 * issued (a SPIFFE URI and a DNS name); `caCertificates` makes them trusted, `subjectAltNames` must
 * name the certificate's identity, and without it the host name is checked. A provider that fails
 * those checks is an error (`statusOnError`), never asked in clear.
 */
class ServeCustomTlsIT {
  private static final String IDENTITY = "spiffe://cluster.local/ns/foo/sa/authz";
  private static final String DNS_NAME = "authz.foo.svc.cluster.local";

  @TempDir static Path dir;
  private static EchoUpstream upstream;
  private static HttpAuthorizer http;
  private static GrpcAuthorizer grpc;
  private static MeshguardProcess serve;
  private static InetSocketAddress proxy;
  private static final HttpClient CLIENT =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  /** name, protocol, host, port, DestinationRule TLS (YAML flow mapping). */
  private record Provider(String name, boolean grpc, String host, String tls) {}

  @BeforeAll
  static void start() throws Exception {
    MeshCa ca = MeshCa.create("provider ca");
    MeshCa.Issued cert = ca.issue("authz", List.of(IDENTITY), List.of(DNS_NAME));
    Path caPem = ca.writeCaPem(dir);
    upstream = new EchoUpstream();
    http = new HttpAuthorizer(cert.serverContext()).answer(r -> Reply.allow("x-user", "tls-http"));
    grpc =
        new GrpcAuthorizer(
            r ->
                CheckResponse.newBuilder()
                    .setStatus(com.google.rpc.Status.newBuilder().setCode(0))
                    .setOkResponse(
                        OkHttpResponse.newBuilder()
                            .addHeaders(
                                HeaderValueOption.newBuilder()
                                    .setHeader(
                                        HeaderValue.newBuilder()
                                            .setKey("x-user")
                                            .setValue("tls-grpc"))))
                    .build(),
            cert.writeChainPem(dir),
            cert.writeKeyPem(dir));
    String trusted = "caCertificates: " + caPem;
    List<Provider> providers =
        List.of(
            new Provider(
                "http-san",
                false,
                "http-san.foo.svc.cluster.local",
                "{mode: SIMPLE, %s, subjectAltNames: [%s]}".formatted(trusted, IDENTITY)),
            new Provider(
                "http-other-san",
                false,
                "http-other.foo.svc.cluster.local",
                "{mode: SIMPLE, %s, subjectAltNames: [spiffe://cluster.local/ns/foo/sa/other]}"
                    .formatted(trusted)),
            new Provider(
                "grpc-san",
                true,
                "grpc-san.foo.svc.cluster.local",
                "{mode: SIMPLE, %s, subjectAltNames: [%s]}".formatted(trusted, IDENTITY)),
            new Provider(
                "grpc-other-san",
                true,
                "grpc-other.foo.svc.cluster.local",
                "{mode: SIMPLE, %s, subjectAltNames: [spiffe://cluster.local/ns/foo/sa/other]}"
                    .formatted(trusted)),
            new Provider("grpc-host", true, DNS_NAME, "{mode: SIMPLE, %s}".formatted(trusted)),
            new Provider(
                "grpc-other-host",
                true,
                "grpc-host.foo.svc.cluster.local",
                "{mode: SIMPLE, %s}".formatted(trusted)),
            new Provider(
                "grpc-untrusted",
                true,
                "grpc-untrusted.foo.svc.cluster.local",
                "{mode: SIMPLE, subjectAltNames: [%s]}".formatted(IDENTITY)));
    StringBuilder mesh = new StringBuilder("extensionProviders:\n");
    StringBuilder yaml = new StringBuilder();
    for (Provider p : providers) {
      int port = p.grpc() ? grpc.port() : http.port();
      mesh.append(
          """
          - name: %s
            %s: {service: %s, port: 443, statusOnError: "503", timeout: 5s%s}
          """
              .formatted(
                  p.name(),
                  p.grpc() ? "envoyExtAuthzGrpc" : "envoyExtAuthzHttp",
                  p.host(),
                  p.grpc() ? "" : ", headersToUpstreamOnAllow: [x-user]"));
      yaml.append(
          """
          ---
          apiVersion: networking.istio.io/v1
          kind: ServiceEntry
          metadata: {name: %1$s, namespace: foo}
          spec:
            hosts: [%2$s]
            ports: [{number: 443, name: tls, protocol: %3$s}]
            resolution: STATIC
            endpoints: [{address: 127.0.0.1, ports: {tls: %4$d}}]
          ---
          apiVersion: networking.istio.io/v1
          kind: DestinationRule
          metadata: {name: %1$s, namespace: foo}
          spec:
            host: %2$s
            trafficPolicy:
              tls: %5$s
          ---
          apiVersion: security.istio.io/v1
          kind: AuthorizationPolicy
          metadata: {name: ext-%1$s, namespace: foo}
          spec:
            action: CUSTOM
            provider: {name: %1$s}
            rules: [{to: [{operation: {paths: ["/%1$s/*"]}}]}]
          """
              .formatted(p.name(), p.host(), p.grpc() ? "GRPC" : "HTTP", port, p.tls()));
    }
    Path meshFile = dir.resolve("mesh.yaml");
    Files.writeString(meshFile, mesh.toString());
    Path policies = dir.resolve("policies.yaml");
    Files.writeString(policies, yaml.toString());
    serve = MeshguardProcess.serveWithMeshConfig(policies, meshFile, upstream.url());
    proxy = serve.listenAddress();
  }

  @AfterAll
  static void stop() throws Exception {
    if (serve != null) {
      assertThat(serve.terminate()).isZero();
    }
    for (AutoCloseable c : new AutoCloseable[] {upstream, http, grpc}) {
      if (c != null) {
        c.close();
      }
    }
  }

  private static HttpResponse<String> get(String path) throws Exception {
    return CLIENT.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.getPort() + path))
            .timeout(Duration.ofSeconds(30))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** The upstream's echo of the request for {@code uri} (other tests' requests are skipped). */
  @Test
  void anHttpProviderOverTlsWithItsSubjectAltNameIsAsked() throws Exception {
    assertThat(get("/http-san/a").statusCode()).isEqualTo(200);
    assertThat(EchoUpstream.header(upstream.awaitRequest("/http-san/a"), "x-user"))
        .isEqualTo("tls-http");
  }

  @Test
  void anHttpProviderWhoseCertificateNamesAnotherIdentityIsAnError() throws Exception {
    assertThat(get("/http-other-san/a").statusCode()).isEqualTo(503);
  }

  @Test
  void aGrpcProviderOverTlsWithItsSubjectAltNameIsAsked() throws Exception {
    // the certificate's SPIFFE identity, not the service host, is what the DestinationRule names
    assertThat(get("/grpc-san/a").statusCode()).isEqualTo(200);
    assertThat(EchoUpstream.header(upstream.awaitRequest("/grpc-san/a"), "x-user"))
        .isEqualTo("tls-grpc");
  }

  @Test
  void aGrpcProviderWhoseCertificateNamesAnotherIdentityIsAnError() throws Exception {
    assertThat(get("/grpc-other-san/a").statusCode()).isEqualTo(503);
  }

  @Test
  void withoutSubjectAltNamesTheGrpcProvidersHostNameIsChecked() throws Exception {
    assertThat(get("/grpc-host/a").statusCode()).isEqualTo(200);
    assertThat(upstream.awaitRequest("/grpc-host/a")).isNotNull();
    assertThat(get("/grpc-other-host/a").statusCode()).isEqualTo(503);
  }

  @Test
  void aGrpcProviderSignedByACaNotTrustedIsAnError() throws Exception {
    assertThat(get("/grpc-untrusted/a").statusCode()).isEqualTo(503);
  }
}
