package dev.meshguard.cli;

import dev.meshguard.engine.MeshSettingsLoader;
import dev.meshguard.extauthz.ExtAuthzServer;
import dev.meshguard.jwks.RemoteJwksOptions;
import dev.meshguard.jwks.RemoteJwksSources;
import dev.meshguard.jwt.CryptoProviders;
import dev.meshguard.proxy.HttpAuthorizationRequests;
import dev.meshguard.proxy.HttpAuthorizationRequests.Dialect;
import dev.meshguard.proxy.HttpAuthorizationServer;
import dev.meshguard.runtime.Decider;
import dev.meshguard.runtime.FrontEnd;
import dev.meshguard.runtime.LoadResult;
import dev.meshguard.runtime.PolicyLoader;
import dev.meshguard.runtime.custom.CustomAuthorizers;
import dev.meshguard.runtime.custom.ProviderMetrics;
import dev.meshguard.source.ConfigSource;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** `meshguard extauthz`: the same decisions as `serve`, as an Envoy ext_authz v3 gRPC server. */
@Command(
    name = "extauthz",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Envoy external-authorization server (ext_authz v3, gRPC): decides every Check call as"
          + " `serve` and `check` would, so a real mesh can use meshguard's decisions.",
      "Prints the bound address on start. Reloads when the configuration changes.",
      "Stops gracefully on SIGTERM/SIGINT.",
      "Exit code: 0 stopped by SIGTERM/SIGINT (after draining), 2 usage or configuration error."
    },
    footer = {
      "",
      "Example:",
      "  meshguard extauthz --config policies/ --listen 0.0.0.0:9191 --admin 127.0.0.1:15000 \\",
      "      --namespace istio-system --labels app=istio-ingressgateway"
    })
public final class ExtAuthzCommand implements Callable<Integer> {
  @Mixin WorkloadOptions workload;

  @Mixin KubeOptions kube;

  @Option(
      names = "--listen",
      defaultValue = "0.0.0.0:9191",
      paramLabel = "HOST:PORT",
      description = "gRPC listener address; port 0 picks a free port (default: ${DEFAULT-VALUE})")
  String listen;

  @Option(
      names = "--http",
      paramLabel = "HOST:PORT",
      description =
          "also answer the HTTP ext_authz protocol here (Envoy http_service, or the"
              + " --forward-auth dialect); port 0 picks a free port")
  String http;

  @Option(
      names = "--path-prefix",
      defaultValue = "",
      paramLabel = "PREFIX",
      description = "HTTP mode: Envoy's http_service path_prefix, removed from every call's path")
  String pathPrefix;

  @Option(
      names = "--forward-auth",
      paramLabel = "DIALECT",
      description =
          "HTTP mode: trust the original request's description in forward-auth headers: `nginx`"
              + " (auth_request: X-Original-URI, X-Original-Method) or `traefik` (forwardAuth:"
              + " X-Forwarded-Method/-Uri/-Host/-Proto). Only for a listener only that proxy can"
              + " reach: the headers say which path is decided")
  String forwardAuth;

  @Option(
      names = "--admin",
      paramLabel = "HOST:PORT",
      description = "admin listener: /healthz/ready, /stats/prometheus, /config_dump")
  String admin;

  @Option(
      names = "--num-trusted-proxies",
      defaultValue = "0",
      paramLabel = "N",
      description =
          "x-forwarded-for hops to trust for remote.ip (default 0: Envoy's source address, which"
              + " Envoy already derives with its xff_num_trusted_hops)")
  int numTrustedProxies;

  @Option(
      names = "--metadata-claims",
      split = ",",
      paramLabel = "CLAIM[,CLAIM...]",
      description =
          "claims of the verified token put into the OK answer's dynamic metadata"
              + " (meshguard.claims); * for the whole payload")
  List<String> metadataClaims;

  @Option(
      names = "--workload-from-principal",
      paramLabel = "LABEL",
      description =
          "without context_extensions, take the workload from the destination's SPIFFE identity"
              + " spiffe://TD/ns/NS/sa/SA: namespace NS, label LABEL=SA (default: ignore it)")
  String workloadFromPrincipal;

  @Option(
      names = "--drain-timeout",
      defaultValue = "10s",
      paramLabel = "DURATION",
      description = "on SIGTERM, how long calls in flight may finish (default: ${DEFAULT-VALUE})")
  String drainTimeout;

  @Option(
      names = "--reload-poll-interval",
      defaultValue = "2s",
      paramLabel = "DURATION",
      description =
          "re-read the configuration this often when no file event arrives; 0 disables reloading"
              + " (default: ${DEFAULT-VALUE})")
  String reloadPollInterval;

  @Option(
      names = "--reject-demo-keys",
      description =
          "refuse to start (or reload) when the configuration trusts Istio's public sample"
              + " signing key (default: accept it, as Istio does, with a warning)")
  boolean rejectDemoKeys;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  private static Dialect dialect(String name) {
    if (name == null) {
      return Dialect.ENVOY;
    }
    return switch (name) {
      case "nginx" -> Dialect.NGINX;
      case "traefik" -> Dialect.TRAEFIK;
      default ->
          throw new IllegalArgumentException(
              "--forward-auth: `" + name + "` is not one of nginx, traefik");
    };
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    // before anything prints the address: a TERM after that must always drain
    CountDownLatch stop = ShutdownSignal.install();
    InetSocketAddress listenAddress;
    InetSocketAddress adminAddress;
    InetSocketAddress httpAddress;
    HttpAuthorizationRequests.Dialect dialect;
    Duration drain;
    Duration poll;
    try {
      listenAddress = ListenAddress.parse("--listen", listen);
      adminAddress = admin == null ? null : ListenAddress.parse("--admin", admin);
      httpAddress = http == null ? null : ListenAddress.parse("--http", http);
      dialect = dialect(forwardAuth);
      if (!pathPrefix.isEmpty() && (!pathPrefix.startsWith("/") || dialect != Dialect.ENVOY)) {
        throw new IllegalArgumentException(
            "--path-prefix must start with `/` and is for Envoy's protocol only");
      }
      drain = Durations.parse("--drain-timeout", drainTimeout);
      poll = Durations.parse("--reload-poll-interval", reloadPollInterval);
      if (numTrustedProxies < 0) {
        throw new IllegalArgumentException("--num-trusted-proxies must not be negative");
      }
      workload.labelMap();
      workload.frontedService();
      kube.checkExclusive(workload);
    } catch (IllegalArgumentException e) {
      err.println("meshguard extauthz: " + e.getMessage());
      return Main.EXIT_USAGE;
    }

    String cryptoProvider = CryptoProviders.installPreferred();
    err.println("meshguard extauthz: crypto provider: " + cryptoProvider);
    ProviderMetrics providerMetrics = new ProviderMetrics();
    try (RemoteJwksSources jwks = new RemoteJwksSources(RemoteJwksOptions.defaults());
        CustomAuthorizers providers = ProviderClients.create(providerMetrics);
        StartupConfig.Opened opened =
            StartupConfig.open("extauthz", kube, workload, jwks, rejectDemoKeys, err)) {
      if (opened.initial() == null) {
        return Main.EXIT_USAGE;
      }
      PolicyLoader loader = opened.loader();
      LoadResult initial = opened.initial();
      ConfigSource source = opened.source();
      long loaded = opened.generation();
      Map<String, Object> info = new LinkedHashMap<>();
      info.put("allowDemoKeys", !rejectDemoKeys);
      info.put("cryptoProvider", cryptoProvider);
      Supplier<Map<String, Object>> health = source == null ? null : SourceWiring.health(source);
      ExtAuthzServer server =
          ExtAuthzServer.start(
              loader,
              initial,
              new ExtAuthzServer.Settings(
                  listenAddress,
                  adminAddress,
                  numTrustedProxies,
                  poll.isZero() ? null : poll,
                  info,
                  health,
                  jwks,
                  workloadFromPrincipal,
                  health,
                  metadataClaims == null ? List.of() : metadataClaims),
              Decider.engine(Clock.systemUTC(), providers),
              System.err);
      providerMetrics.bind(server.metrics().registry());
      if (source != null) {
        SourceWiring.follow(source, server.config(), server.metrics(), loaded);
      }
      out.println(
          "meshguard extauthz: listening on " + ListenAddress.url("grpc", server.address()));
      HttpAuthorizationServer httpServer = null;
      if (httpAddress != null) {
        try {
          httpServer =
              HttpAuthorizationServer.start(
                  httpAddress,
                  new HttpAuthorizationRequests(dialect, pathPrefix, numTrustedProxies),
                  server.config()::current,
                  Decider.engine(Clock.systemUTC(), providers),
                  server.metrics());
        } catch (java.io.IOException e) {
          server.close();
          throw e;
        }
        out.println(
            "meshguard extauthz: listening on " + ListenAddress.url("http", httpServer.address()));
      }
      if (server.adminAddress() != null) {
        out.println(
            "meshguard extauthz: admin on " + ListenAddress.url("http", server.adminAddress()));
      }
      out.flush();
      err.flush();
      List<FrontEnd> frontEnds = new ArrayList<>();
      frontEnds.add(server);
      if (httpServer != null) {
        // the HTTP listener drains before the gRPC one, as it was started after it
        frontEnds.add(0, httpServer);
      }
      return GracefulStop.awaitThenDrain(
          stop, frontEnds, drain, err, "calls in flight", "remaining calls were cancelled");
    } catch (java.io.IOException
        | KubeUnavailable
        | MeshSettingsLoader.MeshConfigException
        | IllegalArgumentException e) {
      err.println("meshguard extauthz: " + e.getMessage());
      return Main.EXIT_USAGE;
    }
  }
}
