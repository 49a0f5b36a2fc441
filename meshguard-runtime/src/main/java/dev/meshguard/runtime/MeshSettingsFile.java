package dev.meshguard.runtime;

import dev.meshguard.engine.MeshSettings;
import dev.meshguard.engine.MeshSettingsLoader;
import java.nio.file.Path;

/**
 * The mesh settings of a run from files: `--mesh-config` (Istio's `meshConfig` YAML) or the
 * defaults, with `--root-namespace` over either. The one place `serve` and `extauthz` ({@link
 * FilePolicyLoader}) and `check`, `replay` and `test` compute them, so they cannot disagree.
 */
public final class MeshSettingsFile {
  private MeshSettingsFile() {}

  /**
   * @param meshConfig the `--mesh-config` file, or null for the defaults
   * @param rootNamespace `--root-namespace`, or null to keep the mesh config's
   */
  public static MeshSettings read(Path meshConfig, String rootNamespace)
      throws MeshSettingsLoader.MeshConfigException {
    MeshSettings mesh =
        meshConfig == null ? MeshSettings.defaults() : MeshSettingsLoader.load(meshConfig);
    return rootNamespace == null ? mesh : mesh.withRootNamespace(rootNamespace);
  }
}
