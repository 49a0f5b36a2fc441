package dev.meshguard.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.meshguard.engine.CheckRequest;
import dev.meshguard.engine.Decision;
import dev.meshguard.engine.Engine;
import dev.meshguard.engine.ForwardedFor;
import dev.meshguard.engine.MeshSettings;
import dev.meshguard.engine.MeshSettingsLoader;
import dev.meshguard.engine.PolicySnapshot;
import dev.meshguard.engine.RequestHeaders;
import dev.meshguard.engine.authz.ShadowResult;
import dev.meshguard.jwks.RemoteJwksOptions;
import dev.meshguard.jwks.RemoteJwksSources;
import dev.meshguard.jwt.CryptoProviders;
import dev.meshguard.policy.Finding;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
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
    })
public final class CheckCommand implements Callable<Integer> {
  @Mixin WorkloadOptions workload;

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

  @Option(names = "--json", description = "print one JSON object")
  boolean json;

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
      int colon = h.indexOf(':');
      if (colon <= 0) {
        err.println("meshguard check: --header `" + h + "` is not of the form 'Name: value'");
        return Main.EXIT_USAGE;
      }
      headerList.add(Map.entry(h.substring(0, colon).trim(), h.substring(colon + 1).trim()));
    }
    MeshSettings mesh;
    try {
      mesh = Workloads.meshSettings(workload);
    } catch (MeshSettingsLoader.MeshConfigException e) {
      err.println("meshguard check: " + e.getMessage());
      return Main.EXIT_USAGE;
    }
    try (RemoteJwksSources jwks = new RemoteJwksSources(RemoteJwksOptions.defaults())) {
      PolicySnapshot snapshot = Workloads.compile(workload, mesh, jwks::remote);
      List<Finding> errors = snapshot.findings().stream().filter(Finding::isError).toList();
      if (!errors.isEmpty()) {
        for (Finding f : errors) {
          err.println(f.format());
        }
        err.println("meshguard check: configuration has errors; nothing was decided");
        return Main.EXIT_USAGE;
      }
      RequestHeaders requestHeaders = RequestHeaders.of(headerList);
      CheckRequest request =
          new CheckRequest(
              method,
              scheme,
              host,
              path,
              requestHeaders,
              sourceIp,
              ForwardedFor.clientAddress(
                  sourceIp, requestHeaders.all("x-forwarded-for"), trustedProxies),
              sourcePrincipal,
              destinationIp,
              port,
              sni);
      Clock clock =
          now == null ? Clock.systemUTC() : Clock.fixed(Instant.ofEpochSecond(now), ZoneOffset.UTC);
      Decision decision = Engine.decide(snapshot, request, clock);
      print(out, snapshot, decision, cryptoProvider);
      return decision.allowed() ? 0 : 1;
    }
  }

  private void print(
      PrintWriter out, PolicySnapshot snapshot, Decision decision, Supplier<String> cryptoProvider)
      throws Exception {
    if (json) {
      Map<String, Object> obj = new LinkedHashMap<>();
      obj.put("status", decision.status());
      obj.put("allowed", decision.allowed());
      obj.put("reason", decision.reason());
      obj.put("policy", decision.policy());
      obj.put("principal", decision.principal());
      obj.put("outcome", decision.outcome().name());
      obj.put("jwt", decision.jwtStatus().message());
      // Envoy's RBAC shadow metadata keys; null when no dry-run policy was evaluated
      ShadowResult shadow = decision.shadow();
      obj.put(ShadowResult.EFFECTIVE_POLICY_ID, shadow == null ? null : shadow.effectivePolicyId());
      obj.put(ShadowResult.ENGINE_RESULT, shadow == null ? null : shadow.engineResult());
      if (decision.body() != null) {
        obj.put("body", decision.body());
      }
      Map<String, String> responseHeaders = new LinkedHashMap<>();
      decision.responseHeaders().forEach(e -> responseHeaders.put(e.getKey(), e.getValue()));
      if (!responseHeaders.isEmpty()) {
        obj.put("responseHeaders", responseHeaders);
      }
      if (decision.upstream() != null) {
        Map<String, Object> upstream = new LinkedHashMap<>();
        upstream.put("path", decision.upstream().path());
        upstream.put("removeHeaders", decision.upstream().removeHeaders());
        Map<String, String> add = new LinkedHashMap<>();
        decision.upstream().addHeaders().forEach(e -> add.put(e.getKey(), e.getValue()));
        upstream.put("addHeaders", add);
        obj.put("upstream", upstream);
      }
      List<String> warnings = new ArrayList<>();
      snapshot.findings().forEach(f -> warnings.add(f.format()));
      if (!warnings.isEmpty()) {
        obj.put("warnings", warnings);
      }
      if (explain) {
        obj.put("trace", decision.trace());
      }
      obj.put("cryptoProvider", cryptoProvider.get());
      out.println(
          new ObjectMapper().disable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(obj));
    } else {
      if (explain) {
        out.println("  crypto provider: " + cryptoProvider.get());
        decision.trace().forEach(line -> out.println("  " + line));
      }
      out.println(
          decision.status()
              + " "
              + (decision.allowed() ? "allowed" : "denied")
              + ": "
              + decision.reason()
              + (decision.policy() == null ? "" : " [policy " + decision.policy() + "]")
              + (decision.principal() == null ? "" : " [principal " + decision.principal() + "]"));
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
