package dev.meshguard.cli;

import dev.meshguard.engine.Workload;
import dev.meshguard.jwt.CryptoProviders;
import dev.meshguard.proxy.Gateway;
import dev.meshguard.proxy.ProxyOptions;
import dev.meshguard.proxy.UpstreamTarget;
import dev.meshguard.proxy.demo.BookinfoUpstream;
import dev.meshguard.runtime.Decider;
import dev.meshguard.runtime.FilePolicyLoader;
import dev.meshguard.runtime.LoadResult;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * `meshguard demo`: the FAQ's ingress-gateway policies in front of a small Bookinfo-like upstream,
 * with the curl commands to try. The only command allowed to use Istio's public sample key.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Starts a gateway with the FAQ's policies (skip JWT authentication for /productpage) in"
          + " front of an embedded Bookinfo-like upstream, and prints the curl commands to try.",
      "Uses Istio's public sample token and key: for trying meshguard out, never for real traffic.",
      "Exit code: 0 stopped by SIGTERM/SIGINT, 2 usage error."
    },
    footer = {"", "Example:", "  meshguard demo --listen 127.0.0.1:8000"})
public final class DemoCommand implements Callable<Integer> {
  static final String POLICIES = "demo/ingress-policies.yaml";
  static final String TOKEN = "demo/demo.jwt";

  @Option(
      names = "--listen",
      defaultValue = "127.0.0.1:8080",
      paramLabel = "HOST:PORT",
      description = "gateway address; port 0 picks a free port (default: ${DEFAULT-VALUE})")
  String listen;

  @Option(
      names = "--admin",
      paramLabel = "HOST:PORT",
      description = "admin listener: /healthz/ready, /stats/prometheus, /config_dump")
  String admin;

  @Option(
      names = "--access-log",
      defaultValue = "stdout",
      paramLabel = "off|stdout|FILE",
      description = "one JSON line per request (default: ${DEFAULT-VALUE})")
  String accessLog;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    java.util.concurrent.CountDownLatch stop = ShutdownSignal.install();
    String cryptoProvider = CryptoProviders.installPreferred();
    err.println("meshguard demo: crypto provider: " + cryptoProvider);
    java.net.InetSocketAddress listenAddress;
    java.net.InetSocketAddress adminAddress;
    try {
      listenAddress = ListenAddress.parse("--listen", listen);
      adminAddress = admin == null ? null : ListenAddress.parse("--admin", admin);
    } catch (IllegalArgumentException e) {
      err.println("meshguard demo: " + e.getMessage());
      return Main.EXIT_USAGE;
    }
    Path dir = Files.createTempDirectory("meshguard-demo");
    Path policies = dir.resolve("ingress-policies.yaml");
    Files.writeString(policies, resource(POLICIES));
    String token = resource(TOKEN).trim();
    try (BookinfoUpstream bookinfo = BookinfoUpstream.start()) {
      String upstreamUrl = ListenAddress.url("http", bookinfo.address());
      FilePolicyLoader loader =
          new FilePolicyLoader(
              List.of(policies),
              null,
              null,
              new Workload("istio-system", Map.of("app", "istio-ingressgateway")),
              new OfflineJwksSources(),
              true);
      LoadResult initial = loader.load();
      if (!initial.ok()) {
        initial.errors().forEach(err::println);
        err.println("meshguard demo: the embedded configuration does not load (a bug)");
        return Main.EXIT_USAGE;
      }
      Gateway gateway;
      try {
        gateway =
            Gateway.start(
                loader,
                initial,
                new Gateway.Settings(
                    ProxyOptions.builder(listenAddress, UpstreamTarget.parse(upstreamUrl)).build(),
                    adminAddress,
                    accessLog,
                    null,
                    null,
                    Map.of("demo", true, "cryptoProvider", cryptoProvider),
                    null),
                Decider.engine(Clock.systemUTC()),
                System.out,
                System.err);
      } catch (IOException e) {
        err.println("meshguard demo: " + e.getMessage() + " (choose another port with --listen)");
        return Main.EXIT_USAGE;
      }
      String base = ListenAddress.url("http", gateway.address());
      printInstructions(out, base, upstreamUrl, token, gateway);
      out.flush();
      return ServeCommand.awaitShutdown(stop, gateway, Duration.ofSeconds(10), err);
    } finally {
      Files.deleteIfExists(policies);
      Files.deleteIfExists(dir);
    }
  }

  private static void printInstructions(
      PrintWriter out, String base, String upstreamUrl, String token, Gateway gateway) {
    String tampered = tamper(token);
    out.println("meshguard demo: gateway listening on " + base);
    out.println("meshguard demo: upstream (Bookinfo-like) on " + upstreamUrl);
    if (gateway.adminAddress() != null) {
      out.println("meshguard demo: admin on " + ListenAddress.url("http", gateway.adminAddress()));
    }
    out.println();
    out.println(
        "Policies: the FAQ's \"skip JWT authentication for specific paths\" on the ingress");
    out.println(
        "gateway (namespace istio-system, app=istio-ingressgateway): RequestAuthentication");
    out.println("`jwt-example` trusts issuer testing@secure.istio.io, and AuthorizationPolicy");
    out.println("`test-exclude` DENYs requests without a token except on /productpage.");
    out.println("They use Istio's public sample key: fine for a demo, never for real traffic.");
    out.println();
    out.println("Try:");
    out.println();
    out.println("  curl -i " + base + "/productpage");
    out.println("    # expect: 200 (excluded from the token requirement)");
    out.println();
    out.println("  curl -i " + base + "/api/v1/products/0");
    out.println("    # expect: 403 RBAC: access denied (no token)");
    out.println();
    out.println(
        "  curl -i -H \"Authorization: Bearer " + token + "\" " + base + "/api/v1/products/0");
    out.println("    # expect: 200 (Istio's demo token)");
    out.println();
    out.println(
        "  curl -i -H \"Authorization: Bearer " + tampered + "\" " + base + "/api/v1/products/0");
    out.println(
        "    # expect: 401 Jwt verification fails (signature tampered), with www-authenticate");
    out.println();
    out.println("Access log lines follow (JSON). Press Ctrl+C to stop.");
  }

  /**
   * The token with one signature character changed: still well-formed base64url of the same length,
   * so the answer is the signature check failing, not a parse error.
   */
  static String tamper(String token) {
    int dot = token.lastIndexOf('.');
    int i = dot + 1 + (token.length() - dot - 1) / 2;
    char c = token.charAt(i);
    char replacement = c == 'A' ? 'B' : 'A';
    return token.substring(0, i) + replacement + token.substring(i + 1);
  }

  static String resource(String name) {
    try (InputStream in = DemoCommand.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
