package dev.meshguard.cli;

import dev.meshguard.engine.CheckRequest;
import dev.meshguard.engine.CustomAnswers;
import dev.meshguard.engine.Decision;
import dev.meshguard.engine.Engine;
import dev.meshguard.engine.MeshSettings;
import dev.meshguard.engine.MeshSettingsLoader;
import dev.meshguard.engine.PolicySnapshot;
import dev.meshguard.engine.SnapshotCompiler;
import dev.meshguard.engine.authz.ShadowResult;
import dev.meshguard.jwks.RemoteJwksOptions;
import dev.meshguard.jwks.RemoteJwksSources;
import dev.meshguard.jwt.CryptoProviders;
import dev.meshguard.policy.Finding;
import dev.meshguard.runtime.custom.CustomAuthorizers;
import dev.meshguard.runtime.custom.ProviderMetrics;
import dev.meshguard.source.ConfigSource;
import dev.meshguard.source.SourcedConfig;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** `meshguard check`: decides one request exactly as `serve` would. */
@Command(
    name = "check",
    mixinStandardHelpOptions = true,
    description = {
      "Decides one request exactly as `serve` would and explains why.",
      "Exit code: 0 allowed, 1 denied (401/403), 2 usage or configuration error."
    },
    footer = {
      "",
      "Example:",
      "  meshguard check --config policies.yaml --namespace foo --labels app=httpbin \\",
      "      --path /headers --header \"Authorization: Bearer $TOKEN\" --explain"
    })
public final class CheckCommand implements Callable<Integer> {
  @Mixin WorkloadOptions workload;

  @Mixin KubeOptions kube;

  @Option(names = "--method", defaultValue = "GET", description = "request method")
  String method;

  @Option(names = "--path", required = true, description = "request target: path and query")
  String path;

  @Option(names = "--host", description = "Host / :authority value")
  String host;

  @Option(names = "--port", description = "destination (workload) port", defaultValue = "0")
  int port;

  @Option(names = "--scheme", defaultValue = "http", description = "http or https")
  String scheme;

  @Option(
      names = "--header",
      paramLabel = "'Name: value'",
      description = "request header; repeatable")
  List<String> headers = new ArrayList<>();

  @Option(names = "--source-ip", description = "direct peer address (source.ip)")
  String sourceIp;

  @Option(
      names = "--num-trusted-proxies",
      defaultValue = "0",
      description = "x-forwarded-for hops to trust for remote.ip (default 0: the peer)")
  int trustedProxies;

  @Option(
      names = "--source-principal",
      description = "peer mTLS identity, e.g. cluster.local/ns/foo/sa/sleep")
  String sourcePrincipal;

  @Option(names = "--destination-ip", description = "local address (destination.ip)")
  String destinationIp;

  @Option(names = "--sni", description = "TLS server name (connection.sni)")
  String sni;

  @Option(names = "--now", description = "the time, in epoch seconds (default: now)")
  Long now;

  @Option(
      names = "--custom-answer",
      paramLabel = "allow|deny[:STATUS]",
      description =
          "what the ext_authz provider of a matching CUSTOM policy answers (offline); without it"
              + " the provider is asked")
  String customAnswer;

  @Option(names = "--json", description = "print one JSON object (the same as -o json)")
  boolean json;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "text|json|yaml",
      description = "output format (default: text)")
  OutputFormat output;

  @Option(names = "--explain", description = "print every step of the decision")
  boolean explain;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    // One decision checks a signature or two: loading ACCP's native library (about 0.15 s more per
    // run) would cost more than it saves, so check keeps the JDK unless
    // MESHGUARD_CRYPTO_PROVIDER=accp.
    Supplier<String> cryptoProvider = CryptoProviders.installIfRequested();
    List<Map.Entry<String, String>> headerList = new ArrayList<>();
    for (String h : headers) {
      try {
        headerList.add(RequestSpec.header(h));
      } catch (IllegalArgumentException e) {
        err.println("meshguard check: --header " + e.getMessage());
        return Main.EXIT_USAGE;
      }
    }
    CustomAnswers answers;
    try {
      answers = CustomAnswerOption.parse(customAnswer);
    } catch (IllegalArgumentException e) {
      err.println("meshguard check: " + e.getMessage());
      return Main.EXIT_USAGE;
    }
    ConfigSource source = null;
    try (RemoteJwksSources jwks = new RemoteJwksSources(RemoteJwksOptions.defaults())) {
      PolicySnapshot snapshot;
      try {
        kube.checkExclusive(workload);
        if (kube.enabled) {
          // `istioctl x authz check` for the live cluster: its objects, decided locally
          source = KubeSources.open(kube, workload, false, QuietLog.INSTANCE, err);
          snapshot = compile(source.current(), jwks, err);
        } else {
          MeshSettings mesh = Workloads.meshSettings(workload);
          snapshot = Workloads.compile(workload, mesh, jwks::remote);
        }
      } catch (MeshSettingsLoader.MeshConfigException
          | KubeUnavailable
          | IllegalArgumentException e) {
        err.println("meshguard check: " + e.getMessage());
        return Main.EXIT_USAGE;
      }
      List<Finding> errors = snapshot.findings().stream().filter(Finding::isError).toList();
      if (!errors.isEmpty()) {
        for (Finding f : errors) {
          err.println(f.format());
        }
        err.println("meshguard check: configuration has errors; nothing was decided");
        return Main.EXIT_USAGE;
      }
      CheckRequest request =
          new RequestSpec(
                  method,
                  scheme,
                  host,
                  path,
                  port,
                  headerList,
                  sourceIp,
                  trustedProxies,
                  sourcePrincipal,
                  destinationIp,
                  sni)
              .toCheckRequest();
      Clock clock =
          now == null ? Clock.systemUTC() : Clock.fixed(Instant.ofEpochSecond(now), ZoneOffset.UTC);
      if (customAnswer == null) {
        answers = askProvider(snapshot, request);
      }
      // Only an explanation needs every rule walked and every step described.
      Decision decision =
          explain
              ? Engine.explain(snapshot, request, clock, answers)
              : Engine.decide(snapshot, request, clock, answers);
      print(out, snapshot, decision, cryptoProvider);
      return decision.allowed() ? 0 : 1;
    } finally {
      if (source != null) {
        source.close();
      }
    }
  }

  /**
   * Asks the ext_authz provider of the CUSTOM policy that matches, if one does, as serve would:
   * with its timeout, `failOpen` and `statusOnError`.
   */
  private static CustomAnswers askProvider(PolicySnapshot snapshot, CheckRequest request) {
    if (Engine.customCheck(snapshot, request) == null) {
      return CustomAnswers.NONE;
    }
    try (CustomAuthorizers providers = ProviderClients.create(new ProviderMetrics())) {
      return Engine.askBlocking(providers, snapshot, request);
    }
  }

  /** Compiles the cluster's view; objects skipped for errors are named, as serve logs them. */
  private PolicySnapshot compile(SourcedConfig view, RemoteJwksSources jwks, PrintWriter err) {
    for (Finding f : view.skipped()) {
      if (f.isError()) {
        err.println("meshguard check: skipped (as serve --kube skips it): " + f.format());
      }
    }
    return SnapshotCompiler.compile(
        view.config(), view.mesh(), Workloads.workload(workload), jwks::remote);
  }

  private void print(
      PrintWriter out, PolicySnapshot snapshot, Decision decision, Supplier<String> cryptoProvider)
      throws Exception {
    OutputFormat format = OutputFormat.orJson(output, json);
    if (format != OutputFormat.TEXT) {
      Map<String, Object> obj = DecisionJson.of(decision, snapshot.findings(), explain);
      obj.put("cryptoProvider", cryptoProvider.get());
      out.println(format.write(obj));
    } else {
      if (explain) {
        out.println("  crypto provider: " + cryptoProvider.get());
        decision.trace().forEach(line -> out.println("  " + line));
      }
      out.println(DecisionJson.summary(decision));
      if (decision.body() != null) {
        out.println("body: " + decision.body());
      }
      if (decision.shadow() != null) {
        out.println(
            "dry-run: "
                + ShadowResult.ENGINE_RESULT
                + "="
                + decision.shadow().engineResult()
                + (decision.shadow().effectivePolicyId() == null
                    ? ""
                    : " "
                        + ShadowResult.EFFECTIVE_POLICY_ID
                        + "="
                        + decision.shadow().effectivePolicyId()));
      }
    }
    out.flush();
  }
}
