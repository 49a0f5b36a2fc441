package dev.meshguard.source;

import dev.meshguard.engine.MeshSettings;
import dev.meshguard.policy.ConfigSet;
import dev.meshguard.policy.Finding;
import java.util.List;
import java.util.Objects;

/**
 * One view of a {@link ConfigSource}.
 *
 * @param config the objects in force: none has an error finding
 * @param mesh the mesh settings in force
 * @param skipped the findings of the objects left out because of errors (errors and warnings)
 * @param generation counts views, starting at 1
 */
public record SourcedConfig(
    ConfigSet config, MeshSettings mesh, List<Finding> skipped, long generation) {
  public SourcedConfig {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(mesh, "mesh");
    skipped = List.copyOf(skipped);
  }
}
