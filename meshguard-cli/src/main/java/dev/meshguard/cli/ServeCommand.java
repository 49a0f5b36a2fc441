package dev.meshguard.cli;

import dev.meshguard.engine.MeshSettingsLoader;
import dev.meshguard.jwks.RemoteJwksOptions;
import dev.meshguard.jwks.RemoteJwksSources;
import dev.meshguard.jwt.CryptoProviders;
import dev.meshguard.proxy.ForwardClientCert;
import dev.meshguard.proxy.Gateway;
import dev.meshguard.proxy.ListenerTls;
import dev.meshguard.proxy.ProxyOptions;
import dev.meshguard.proxy.UpstreamTarget;
import dev.meshguard.proxy.UpstreamTls;
import dev.meshguard.runtime.CaptureLog;
import dev.meshguard.runtime.CapturingDecider;
import dev.meshguard.runtime.Decider;
import dev.meshguard.runtime.LoadResult;
import dev.meshguard.runtime.PolicyLoader;
import dev.meshguard.runtime.custom.CustomAuthorizers;
import dev.meshguard.runtime.custom.ProviderMetrics;
import dev.meshguard.source.ConfigSource;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** `meshguard serve`: the gateway / sidecar data plane. */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Reverse proxy that decides every request as Istio with Envoy would, and forwards the"
          + " allowed ones to one upstream.",
      "Prints the bound address(es) on start. Reloads when the configuration changes (files, or"
          + " the cluster's objects with --kube).",
      "Stops gracefully on SIGTERM/SIGINT.",
      "Exit code: 0 stopped by SIGTERM/SIGINT (after draining), 2 usage or configuration error."
    },
    footer = {
      "",
      "Example:",
      "  meshguard serve --config policies/ --upstream http://127.0.0.1:8080 --listen 0.0.0.0:8000 \\",
      "      --admin 127.0.0.1:15000 --namespace istio-system --labels app=istio-ingressgateway"
    })
public final class ServeCommand implements Callable<Integer> {
  @Mixin WorkloadOptions workload;

  @Mixin KubeOptions kube;

  @Option(
      names = "--upstream",
      required = true,
      paramLabel = "URL",
      description =
          "where allowed requests go: http://host:port (HTTP/1.1), https://host:port (HTTP/1.1"
              + " over TLS), h2c://host:port (HTTP/2, prior knowledge) or h2://host:port (HTTP/2"
              + " over TLS); gRPC needs h2c:// or h2://")
  String upstream;

  @Option(
      names = "--upstream-ca",
      paramLabel = "FILE",
      description = "PEM CA certificates that sign the upstream's certificate (default: the JVM's)")
  Path upstreamCa;

  @Option(
      names = "--upstream-sni",
      paramLabel = "NAME",
      description =
          "server name sent to the upstream and verified in its certificate (default: its host)")
  String upstreamSni;

  @Option(
      names = "--upstream-cert",
      paramLabel = "FILE",
      description = "PEM client certificate chain for upstream mutual TLS (with --upstream-key)")
  Path upstreamCert;

  @Option(
      names = "--upstream-key",
      paramLabel = "FILE",
      description = "PEM PKCS#8 private key of --upstream-cert")
  Path upstreamKey;

  @Option(
      names = "--listen",
      defaultValue = "0.0.0.0:8080",
      paramLabel = "HOST:PORT",
      description = "listener address; port 0 picks a free port (default: ${DEFAULT-VALUE})")
  String listen;

  @Option(
      names = "--admin",
      paramLabel = "HOST:PORT",
      description = "admin listener: /healthz/ready, /stats/prometheus, /config_dump")
  String admin;

  @Option(
      names = "--num-trusted-proxies",
      defaultValue = "0",
      paramLabel = "N",
      description = "proxies in front that append to x-forwarded-for (Envoy xff_num_trusted_hops)")
  int numTrustedProxies;

  @Option(
      names = "--access-log",
      defaultValue = "stdout",
      paramLabel = "off|stdout|FILE",
      description = "one JSON line per request (default: ${DEFAULT-VALUE})")
  String accessLog;

  @Option(
      names = "--connect-timeout",
      defaultValue = "10s",
      paramLabel = "DURATION",
      description = "upstream connect timeout, then 503 (default: ${DEFAULT-VALUE})")
  String connectTimeout;

  @Option(
      names = "--request-timeout",
      defaultValue = "15s",
      paramLabel = "DURATION",
      description =
          "from the end of the request to the end of the response, then 504; 0 disables"
              + " (default: ${DEFAULT-VALUE}, Envoy's route default)")
  String requestTimeout;

  @Option(
      names = "--idle-timeout",
      defaultValue = "5m",
      paramLabel = "DURATION",
      description =
          "close client connections without traffic; 0 disables (default: ${DEFAULT-VALUE})")
  String idleTimeout;

  @Option(
      names = "--drain-timeout",
      defaultValue = "10s",
      paramLabel = "DURATION",
      description =
          "on SIGTERM, how long in-flight requests may finish (default: ${DEFAULT-VALUE})")
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
      names = "--max-request-headers-kb",
      defaultValue = "60",
      paramLabel = "KB",
      description = "request header limit, then 431 (default: ${DEFAULT-VALUE}, as Envoy)")
  int maxRequestHeadersKb;

  @Option(
      names = "--max-request-line-kb",
      defaultValue = "64",
      paramLabel = "KB",
      description = "request line limit, then 414 (default: ${DEFAULT-VALUE})")
  int maxRequestLineKb;

  @Option(
      names = "--io-threads",
      paramLabel = "N",
      description =
          "event loop threads, which also decide (deciding never blocks: a request whose keys"
              + " are being fetched waits without a thread) (default: cores)")
  Integer ioThreads;

  /**
   * Kept so older command lines still work: decisions ran on a pool of their own, where requests
   * waiting for a key fetch could hold every thread. They run on the event loops now.
   */
  @Option(names = "--decision-threads", paramLabel = "N", hidden = true)
  Integer decisionThreads;

  @Option(
      names = "--tls-cert",
      paramLabel = "PEM",
      description = "serve HTTPS with this certificate chain (needs --tls-key)")
  Path tlsCert;

  @Option(
      names = "--tls-key",
      paramLabel = "PEM",
      description = "PKCS#8 private key for --tls-cert")
  Path tlsKey;

  @Option(
      names = "--tls-client-ca",
      paramLabel = "PEM",
      description =
          "mutual TLS: ask clients for a certificate issued by these CA(s); its SPIFFE URI SAN"
              + " (spiffe://TD/ns/NS/sa/SA) becomes the source principal (needs --tls-cert)")
  Path tlsClientCa;

  @Option(
      names = "--tls-client-auth",
      paramLabel = "require|optional",
      description =
          "with --tls-client-ca: refuse the handshake without a valid client certificate"
              + " (require, the default) or accept it as a peer without identity (optional)")
  String tlsClientAuth;

  @Option(
      names = "--forward-client-cert",
      defaultValue = "sanitize",
      paramLabel = "MODE",
      description =
          "x-forwarded-client-cert as Envoy's forward_client_cert_details: sanitize,"
              + " forward-only, append-forward, sanitize-set, always-forward-only; set/append"
              + " write By, Hash, Subject, URI, DNS as Istio's sidecars (default: ${DEFAULT-VALUE})")
  String forwardClientCert;

  @Option(
      names = "--reject-demo-keys",
      description =
          "refuse to start (or reload) when the configuration trusts Istio's public sample"
              + " signing key, for which anyone can sign tokens (default: accept it, as Istio"
              + " does, with a warning)")
  boolean rejectDemoKeys;

  @Option(
      names = "--capture",
      paramLabel = "FILE",
      description =
          "record each request's decision inputs and answer for `meshguard replay` (off by"
              + " default; tokens are kept as their claims unless --capture-tokens)")
  Path capture;

  @Option(
      names = "--capture-max-size",
      paramLabel = "SIZE",
      defaultValue = "100MB",
      description =
          "stop recording when the capture file reaches this size (default: ${DEFAULT-VALUE})")
  String captureMaxSize;

  @Option(
      names = "--capture-tokens",
      description =
          "write tokens (credentials!) to the capture file as sent, so replay checks signatures too")
  boolean captureTokens;

  /** Kept so older command lines still work; accepting the sample key is the default now. */
  @Option(names = "--allow-demo-keys", hidden = true)
  boolean allowDemoKeys;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    // before anything prints the address: a TERM after that must always drain
    CountDownLatch stop = ShutdownSignal.install();
    // before any key is parsed or TLS set up, so every JCA lookup sees the same providers
    String cryptoProvider = CryptoProviders.installPreferred();
    err.println("meshguard serve: crypto provider: " + cryptoProvider);
    ProxyOptions options;
    ListenerTls tls;
    Duration drain;
    Duration poll;
    java.net.InetSocketAddress adminAddress;
    try {
      ProxyOptions.Builder b =
          ProxyOptions.builder(
                  ListenAddress.parse("--listen", listen), UpstreamTarget.parse(upstream))
              .numTrustedProxies(numTrustedProxies)
              .connectTimeout(Durations.parse("--connect-timeout", connectTimeout))
              .requestTimeout(Durations.parse("--request-timeout", requestTimeout))
              .idleTimeout(Durations.parse("--idle-timeout", idleTimeout))
              .maxRequestHeaderBytes(maxRequestHeadersKb * 1024)
              .maxRequestLineBytes(maxRequestLineKb * 1024)
              .forwardClientCert(ForwardClientCert.parse(forwardClientCert))
              .upstreamTls(new UpstreamTls(upstreamCa, upstreamSni, upstreamCert, upstreamKey));
      if (ioThreads != null) {
        b.ioThreads(ioThreads);
      }
      if (decisionThreads != null) {
        err.println(
            "meshguard serve: --decision-threads is obsolete and ignored: requests are decided on"
                + " the --io-threads, and none waits for a key fetch on a thread");
      }
      options = b.build();
      drain = Durations.parse("--drain-timeout", drainTimeout);
      poll = Durations.parse("--reload-poll-interval", reloadPollInterval);
      adminAddress = admin == null ? null : ListenAddress.parse("--admin", admin);
      if ((tlsCert == null) != (tlsKey == null)) {
        throw new IllegalArgumentException("--tls-cert and --tls-key go together");
      }
      if (tlsClientCa != null && tlsCert == null) {
        throw new IllegalArgumentException("--tls-client-ca needs --tls-cert and --tls-key");
      }
      if (tlsClientAuth != null && tlsClientCa == null) {
        throw new IllegalArgumentException("--tls-client-auth needs --tls-client-ca");
      }
      tls =
          tlsCert == null ? null : ListenerTls.load(tlsCert, tlsKey, tlsClientCa, clientAuthMode());
      if (tlsClientCa != null) {
        err.println(
            "meshguard serve: mutual TLS: client certificates "
                + (clientAuthMode() == ListenerTls.ClientAuthMode.REQUIRE ? "required" : "optional")
                + " (CA "
                + tlsClientCa
                + "), x-forwarded-client-cert "
                + options.forwardClientCert().flagValue());
      }
      workload.labelMap();
      workload.frontedService();
      kube.checkExclusive(workload);
    } catch (IllegalArgumentException | javax.net.ssl.SSLException e) {
      err.println("meshguard serve: " + e.getMessage());
      return Main.EXIT_USAGE;
    }

    ProviderMetrics providerMetrics = new ProviderMetrics();
    try (RemoteJwksSources jwks = new RemoteJwksSources(RemoteJwksOptions.defaults());
        CustomAuthorizers providers = ProviderClients.create(providerMetrics);
        StartupConfig.Opened opened =
            StartupConfig.open("serve", kube, workload, jwks, rejectDemoKeys, err)) {
      if (opened.initial() == null) {
        return Main.EXIT_USAGE;
      }
      PolicyLoader loader = opened.loader();
      LoadResult initial = opened.initial();
      ConfigSource source = opened.source();
      long loaded = opened.generation();
      CaptureLog captureLog = openCapture(err);
      Map<String, Object> info = new LinkedHashMap<>();
      info.put("allowDemoKeys", !rejectDemoKeys);
      info.put("cryptoProvider", cryptoProvider);
      info.put(
          "tlsClientAuth",
          tlsClientCa == null ? "none" : clientAuthMode().name().toLowerCase(Locale.ROOT));
      info.put("forwardClientCert", options.forwardClientCert().flagValue());
      Gateway gateway =
          Gateway.start(
              loader,
              initial,
              new Gateway.Settings(
                  options,
                  adminAddress,
                  accessLog,
                  poll.isZero() ? null : poll,
                  tls,
                  info,
                  source == null ? null : SourceWiring.health(source),
                  jwks,
                  source == null ? null : SourceWiring.health(source)),
              captureLog == null
                  ? Decider.engine(Clock.systemUTC(), providers)
                  : new CapturingDecider(Clock.systemUTC(), captureLog, providers),
              System.out,
              System.err);
      providerMetrics.bind(gateway.metrics().registry());
      if (source != null) {
        SourceWiring.follow(source, gateway.config(), gateway.metrics(), loaded);
      }
      out.println(
          "meshguard serve: listening on "
              + ListenAddress.url(tls == null ? "http" : "https", gateway.address())
              + ", upstream "
              + options.upstream());
      if (gateway.adminAddress() != null) {
        out.println(
            "meshguard serve: admin on " + ListenAddress.url("http", gateway.adminAddress()));
      }
      out.flush();
      err.flush();
      int exit = awaitShutdown(stop, gateway, drain, err);
      if (captureLog != null) {
        captureLog.close();
      }
      return exit;
    } catch (java.io.IOException
        | KubeUnavailable
        | MeshSettingsLoader.MeshConfigException
        | IllegalArgumentException e) {
      err.println("meshguard serve: " + e.getMessage());
      return Main.EXIT_USAGE;
    }
  }

  /** `--tls-client-auth`, `require` when not given. */
  private ListenerTls.ClientAuthMode clientAuthMode() {
    return tlsClientAuth == null
        ? ListenerTls.ClientAuthMode.REQUIRE
        : ListenerTls.ClientAuthMode.parse(tlsClientAuth);
  }

  /** The `--capture` file opened with the workload it records, or null when not capturing. */
  private CaptureLog openCapture(PrintWriter err) throws java.io.IOException {
    if (capture == null) {
      return null;
    }
    Map<String, Object> facts = new LinkedHashMap<>();
    facts.put("namespace", workload.namespace);
    facts.put("labels", workload.labelMap());
    facts.put("config", workload.configPaths.stream().map(Path::toString).toList());
    long maxBytes = Sizes.parse("--capture-max-size", captureMaxSize);
    CaptureLog log;
    try {
      log = CaptureLog.open(capture, maxBytes, captureTokens, facts, System.err);
    } catch (java.io.IOException e) {
      throw new java.io.IOException(
          "--capture " + capture + ": cannot write (" + e.getClass().getSimpleName() + ")", e);
    }
    err.println(
        "meshguard serve: capturing decisions to "
            + capture
            + (captureTokens
                ? " (with tokens: the file holds credentials)"
                : " (tokens as claims)"));
    return log;
  }

  /** Blocks until SIGTERM/SIGINT, then drains; 0 when stopped by a signal. */
  static int awaitShutdown(CountDownLatch stop, Gateway gateway, Duration drain, PrintWriter err) {
    return GracefulStop.awaitThenDrain(
        stop,
        List.of(gateway),
        drain,
        err,
        "in-flight requests",
        "remaining connections were closed");
  }
}
