package dev.meshguard.cli;

import dev.meshguard.cli.replay.CaptureReader;
import dev.meshguard.cli.replay.CapturedRequest;
import dev.meshguard.cli.replay.Flip;
import dev.meshguard.cli.replay.FlipReport;
import dev.meshguard.cli.replay.StandInTokens;
import dev.meshguard.engine.CheckRequest;
import dev.meshguard.engine.Decision;
import dev.meshguard.engine.Engine;
import dev.meshguard.engine.MeshSettings;
import dev.meshguard.engine.MeshSettingsLoader;
import dev.meshguard.engine.PolicySnapshot;
import dev.meshguard.engine.RequestHeaders;
import dev.meshguard.jwks.RemoteJwksOptions;
import dev.meshguard.jwks.RemoteJwksSources;
import dev.meshguard.policy.Finding;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** `meshguard replay`: which of the captured decisions a configuration change flips. */
@Command(
    name = "replay",
    mixinStandardHelpOptions = true,
    description = {
      "Decides every request of a `serve --capture` file again under the given configuration"
          + " (with the engine `serve` uses, at each request's own time) and reports the decisions"
          + " that flip, allowed -> denied and back, grouped by the policy and rule (or JWT"
          + " failure) that decides them, with counts and examples.",
      "The workload is the one the capture was made for unless --namespace/--labels say"
          + " otherwise. Tokens captured as claims keep the signature verdict of the capture;"
          + " everything else about them is decided again.",
      "Exit code: 0 nothing flips, 1 some decision flips, 2 usage or configuration error."
    },
    footer = {
      "",
      "Example:",
      "  meshguard serve --config policies/ --upstream http://127.0.0.1:8080 --capture today.jsonl",
      "  meshguard replay --capture today.jsonl --config policies-next/"
    })
public final class ReplayCommand implements Callable<Integer> {
  @Option(names = "--capture", required = true, paramLabel = "FILE", description = "capture file")
  Path capture;

  @Mixin WorkloadOptions workload;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "text|json|yaml",
      description = "output format (default: text)")
  OutputFormat output;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    CaptureReader.Capture captured;
    try {
      captured = CaptureReader.read(capture);
    } catch (NoSuchFileException e) {
      err.println("meshguard replay: " + capture + ": no such file");
      return Main.EXIT_USAGE;
    } catch (IllegalArgumentException e) {
      err.println("meshguard replay: " + e.getMessage());
      return Main.EXIT_USAGE;
    }
    useCapturedWorkload(captured);
    MeshSettings mesh;
    try {
      mesh = Workloads.meshSettings(workload);
    } catch (MeshSettingsLoader.MeshConfigException e) {
      err.println("meshguard replay: " + e.getMessage());
      return Main.EXIT_USAGE;
    }
    StandInTokens standIns = new StandInTokens();
    try (RemoteJwksSources jwks = new RemoteJwksSources(RemoteJwksOptions.defaults())) {
      PolicySnapshot snapshot = Workloads.compile(workload, mesh, jwks::remote);
      List<Finding> errors = snapshot.findings().stream().filter(Finding::isError).toList();
      if (!errors.isEmpty()) {
        errors.forEach(f -> err.println(f.format()));
        err.println("meshguard replay: configuration has errors; nothing was replayed");
        return Main.EXIT_USAGE;
      }
      PolicySnapshot withStandIns = null;
      List<Flip> flips = new ArrayList<>();
      for (CapturedRequest r : captured.requests()) {
        PolicySnapshot s = snapshot;
        if (!r.tokens().isEmpty()) {
          if (withStandIns == null) {
            withStandIns = Workloads.compile(workload, mesh, jwks::remote, standIns::trustStandIns);
          }
          s = withStandIns;
        }
        Decision now =
            Engine.decide(
                s,
                request(r, standIns),
                Clock.fixed(Instant.ofEpochSecond(r.time()), ZoneOffset.UTC));
        if (now.allowed() != r.decision().allowed()) {
          flips.add(new Flip(r, now));
        }
      }
      FlipReport report = new FlipReport(captured.requests().size(), flips);
      OutputFormat format = output == null ? OutputFormat.TEXT : output;
      if (format == OutputFormat.TEXT) {
        report.printText(out);
      } else {
        out.println(format.write(report.toMap()));
      }
      out.flush();
      return report.flips() > 0 ? 1 : 0;
    }
  }

  /** The capture's workload, unless the command line names one. */
  private void useCapturedWorkload(CaptureReader.Capture captured) {
    var parsed = spec.commandLine().getParseResult();
    if (captured.namespace() != null && !parsed.hasMatchedOption("--namespace")) {
      workload.namespace = captured.namespace();
    }
    if (!parsed.hasMatchedOption("--labels")) {
      workload.labels = new ArrayList<>();
      captured.labels().forEach((k, v) -> workload.labels.add(k + "=" + v));
    }
  }

  private static CheckRequest request(CapturedRequest r, StandInTokens standIns) {
    List<Map.Entry<String, String>> headers = new ArrayList<>();
    for (Map.Entry<String, String> h : r.headers()) {
      headers.add(Map.entry(h.getKey(), standIns.resolve(h.getValue(), r.tokens())));
    }
    return new CheckRequest(
        r.method(),
        r.scheme(),
        r.host(),
        standIns.resolve(r.path(), r.tokens()),
        RequestHeaders.of(headers),
        r.sourceIp(),
        r.remoteIp(),
        r.sourcePrincipal(),
        r.destinationIp(),
        r.port(),
        r.sni());
  }
}
