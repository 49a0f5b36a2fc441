package dev.meshguard.source;

import dev.meshguard.engine.JwksSources;
import dev.meshguard.engine.MeshSettings;
import dev.meshguard.engine.SnapshotCompiler;
import dev.meshguard.engine.Workload;
import dev.meshguard.jwt.JwksSource;
import dev.meshguard.jwt.JwtStatus;
import dev.meshguard.policy.ConfigSet;
import dev.meshguard.policy.DocumentOrigin;
import dev.meshguard.policy.Finding;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Leaves out the objects that have errors, so that the others stay in force. Files are all or
 * nothing (an error rejects the change and the last good files stay); objects watched one by one
 * are not: one bad object in a cluster must not freeze every other update, so it is reported and
 * skipped, as istiod drops what it cannot translate.
 *
 * <p>Errors are found where files find them: reading and validation ({@link ConfigSet#findings()}),
 * and compiling (inline key sets, rule translation). Compiling is done for a workload that selects
 * nothing and with key sources that never fetch, so the answer does not depend on a workload and
 * touches no network. An object is identified by its origin (each object is its own document).
 */
public final class ObjectQuarantine {
  /** A namespace no object can have, so only unconditional root policies select it. */
  private static final Workload NOBODY = new Workload("", Map.of());

  private static final JwksSources OFFLINE =
      (rule, config) ->
          JwksSource.failing(JwtStatus.JWKS_FETCH_FAIL, "not fetched while validating", "offline");

  /** Compiling again after leaving objects out cannot find new errors; this bounds it anyway. */
  private static final int MAX_ROUNDS = 4;

  private ObjectQuarantine() {}

  /**
   * The result.
   *
   * @param inForce the objects without errors, with their findings (warnings only)
   * @param skipped every finding of the objects left out
   * @param skippedObjects the origins of the objects left out, in order of first error
   */
  public record Result(
      ConfigSet inForce, List<Finding> skipped, List<DocumentOrigin> skippedObjects) {
    public Result {
      skipped = List.copyOf(skipped);
      skippedObjects = List.copyOf(skippedObjects);
    }
  }

  /**
   * One object checked on its own.
   *
   * @param object the object as read ({@link dev.meshguard.policy.ConfigLoader#readDocument})
   * @param findings its findings from reading, validation and compiling
   * @param skipped whether one of them is an error: the object must be left out
   */
  public record Checked(ConfigSet object, List<Finding> findings, boolean skipped) {
    public Checked {
      findings = List.copyOf(findings);
    }
  }

  /**
   * Checks one object read on its own: its compile errors (key sets, rule translation) depend on
   * nothing else, so the answer can be kept until the object or the mesh settings change.
   */
  public static Checked check(ConfigSet object, MeshSettings mesh) {
    List<Finding> findings = new ArrayList<>(object.findings());
    for (Finding f : SnapshotCompiler.compile(object, mesh, NOBODY, OFFLINE).findings()) {
      if (!findings.contains(f)) {
        findings.add(f);
      }
    }
    return new Checked(object, findings, findings.stream().anyMatch(Finding::isError));
  }

  public static Result apply(ConfigSet config, MeshSettings mesh) {
    Set<DocumentOrigin> bad = new LinkedHashSet<>(errorOrigins(config.findings()));
    ConfigSet clean = without(config, bad);
    for (int round = 0; round < MAX_ROUNDS; round++) {
      List<Finding> compiled = SnapshotCompiler.compile(clean, mesh, NOBODY, OFFLINE).findings();
      Set<DocumentOrigin> more = errorOrigins(compiled);
      if (more.isEmpty()) {
        break;
      }
      bad.addAll(more);
      clean = without(config, bad);
    }
    List<Finding> skipped = new ArrayList<>();
    for (Finding f : config.findings()) {
      if (bad.contains(origin(f))) {
        skipped.add(f);
      }
    }
    // compile-time errors of skipped objects are not in config.findings(): compile them alone
    ConfigSet onlyBad = only(config, bad);
    for (Finding f : SnapshotCompiler.compile(onlyBad, mesh, NOBODY, OFFLINE).findings()) {
      if (bad.contains(origin(f)) && !skipped.contains(f)) {
        skipped.add(f);
      }
    }
    return new Result(clean, skipped, List.copyOf(bad));
  }

  private static Set<DocumentOrigin> errorOrigins(List<Finding> findings) {
    Set<DocumentOrigin> out = new LinkedHashSet<>();
    for (Finding f : findings) {
      if (f.isError()) {
        out.add(origin(f));
      }
    }
    return out;
  }

  private static DocumentOrigin origin(Finding f) {
    return new DocumentOrigin(f.file(), f.document());
  }

  private static ConfigSet without(ConfigSet config, Set<DocumentOrigin> bad) {
    return filter(config, origin -> !bad.contains(origin));
  }

  private static ConfigSet only(ConfigSet config, Set<DocumentOrigin> bad) {
    return filter(config, bad::contains);
  }

  private static ConfigSet filter(ConfigSet config, Predicate<DocumentOrigin> keep) {
    return new ConfigSet(
        config.requestAuthentications().stream().filter(o -> keep.test(o.origin())).toList(),
        config.authorizationPolicies().stream().filter(o -> keep.test(o.origin())).toList(),
        config.serviceEntries().stream().filter(o -> keep.test(o.origin())).toList(),
        config.destinationRules().stream().filter(o -> keep.test(o.origin())).toList(),
        config.findings().stream().filter(f -> keep.test(origin(f))).toList(),
        config.notices());
  }
}
