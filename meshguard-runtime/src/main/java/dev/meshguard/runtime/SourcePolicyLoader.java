package dev.meshguard.runtime;

import dev.meshguard.engine.JwksSources;
import dev.meshguard.engine.PolicySnapshot;
import dev.meshguard.engine.SnapshotCompiler;
import dev.meshguard.engine.Workload;
import dev.meshguard.jwt.JwksSource;
import dev.meshguard.policy.ConfigSet;
import dev.meshguard.policy.Finding;
import dev.meshguard.policy.RequestAuthentication;
import dev.meshguard.source.ConfigSource;
import dev.meshguard.source.SourcedConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Compiles the view of a {@link ConfigSource} (the Kubernetes API) for one workload: what `serve`
 * and `extauthz --kube` load at start and after every change the source reports. The source has
 * already left out objects with errors; their findings stay in {@link LoadResult#findings()} for
 * `/config_dump`. A RequestAuthentication that trusts Istio's sample key is left out the same way
 * under `--reject-demo-keys`, so one object never blocks the others.
 */
public final class SourcePolicyLoader implements PolicyLoader {
  private final ConfigSource source;
  private final String rootNamespace;
  private final Workload workload;
  private final JwksSources jwksSources;
  private final boolean allowDemoKeys;
  private volatile List<String> demoKeyUsages = List.of();

  /**
   * @param rootNamespace `--root-namespace`, or null to keep the source's mesh settings
   */
  public SourcePolicyLoader(
      ConfigSource source,
      String rootNamespace,
      Workload workload,
      JwksSources jwksSources,
      boolean allowDemoKeys) {
    this.source = Objects.requireNonNull(source, "source");
    this.rootNamespace = rootNamespace;
    this.workload = Objects.requireNonNull(workload, "workload");
    this.jwksSources = Objects.requireNonNull(jwksSources, "jwksSources");
    this.allowDemoKeys = allowDemoKeys;
  }

  public ConfigSource source() {
    return source;
  }

  @Override
  public LoadResult load() {
    SourcedConfig view = source.current();
    ConfigSet config = view.config();
    List<Finding> skipped = new ArrayList<>(view.skipped());
    if (!allowDemoKeys) {
      config = withoutDemoKeys(config, skipped);
    } else {
      demoKeyUsages = List.copyOf(DemoKeys.usages(config));
    }
    List<JwksSource> remote = new ArrayList<>();
    JwksSources recording =
        (rule, cfg) -> {
          JwksSource keys = jwksSources.remote(rule, cfg);
          remote.add(keys);
          return keys;
        };
    var mesh = rootNamespace == null ? view.mesh() : view.mesh().withRootNamespace(rootNamespace);
    PolicySnapshot snapshot = SnapshotCompiler.compile(config, mesh, workload, recording);
    List<Finding> findings = new ArrayList<>(snapshot.findings());
    findings.addAll(skipped);
    if (snapshot.hasErrors()) {
      // the source compiled every object already; an error here is a bug, never half a config
      List<String> errors = new ArrayList<>();
      snapshot.findings().stream().filter(Finding::isError).forEach(f -> errors.add(f.format()));
      return LoadResult.rejected(findings, errors);
    }
    return LoadResult.accepted(snapshot, findings, remote);
  }

  /** Where the last view trusts Istio's sample key; empty when such keys are refused. */
  @Override
  public List<String> demoKeyUsagesOfLastLoad() {
    return demoKeyUsages;
  }

  private static ConfigSet withoutDemoKeys(ConfigSet config, List<Finding> skipped) {
    List<RequestAuthentication> kept = new ArrayList<>();
    for (RequestAuthentication ra : config.requestAuthentications()) {
      ConfigSet alone =
          new ConfigSet(List.of(ra), List.of(), List.of(), List.of(), List.of(), List.of());
      List<String> usages = DemoKeys.usages(alone);
      if (usages.isEmpty()) {
        kept.add(ra);
      } else {
        for (String usage : usages) {
          skipped.add(
              Finding.error(
                  ra.origin(), "spec.jwtRules", usage + " (refused by --reject-demo-keys)"));
        }
      }
    }
    return new ConfigSet(
        kept,
        config.authorizationPolicies(),
        config.serviceEntries(),
        config.destinationRules(),
        config.findings(),
        config.notices());
  }

  /** Nothing to watch on disk: the source says when it changed. */
  @Override
  public List<Path> watchedPaths() {
    return List.of();
  }
}
