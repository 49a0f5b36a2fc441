package dev.meshguard.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads the MeshConfig subset meshguard uses. Accepts a bare MeshConfig, Helm-style values with a
 * `meshConfig:` key, or the `istio` ConfigMap whose `data.mesh` holds the MeshConfig text.
 */
public final class MeshSettingsLoader {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private MeshSettingsLoader() {}

  /** Loads a file; problems are reported with the file name and field. */
  public static MeshSettings load(Path file) throws MeshConfigException {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new MeshConfigException(file + ": cannot read: " + e.getMessage());
    }
    return parse(text, file.toString());
  }

  public static MeshSettings parse(String text, String name) throws MeshConfigException {
    JsonNode root;
    try {
      root = YAML.readTree(text);
    } catch (IOException e) {
      throw new MeshConfigException(name + ": not valid YAML: " + e.getMessage());
    }
    if (root == null || root.isMissingNode() || root.isNull()) {
      return MeshSettings.defaults();
    }
    if (!root.isObject()) {
      throw new MeshConfigException(name + ": expected a MeshConfig mapping");
    }
    if (root.has("data") && root.path("data").has("mesh")) {
      return parse(root.path("data").path("mesh").asText(), name + ": data.mesh");
    }
    if (root.has("meshConfig")) {
      root = root.get("meshConfig");
    }
    MeshSettings defaults = MeshSettings.defaults();
    String rootNamespace = text(root, "rootNamespace", defaults.rootNamespace(), name);
    PathNormalization normalization = defaults.pathNormalization();
    JsonNode pn = root.path("pathNormalization").path("normalization");
    if (!pn.isMissingNode() && !pn.isNull()) {
      String value = pn.asText().toUpperCase(Locale.ROOT);
      if (value.equals("DEFAULT")) {
        normalization = PathNormalization.BASE;
      } else {
        try {
          normalization = PathNormalization.valueOf(value);
        } catch (IllegalArgumentException e) {
          throw new MeshConfigException(
              name
                  + ": pathNormalization.normalization: unknown value `"
                  + pn.asText()
                  + "` (expected NONE, BASE, MERGE_SLASHES or DECODE_AND_MERGE_SLASHES)");
        }
      }
    }
    String trustDomain = text(root, "trustDomain", defaults.trustDomain(), name);
    List<String> aliases = new ArrayList<>();
    for (JsonNode alias : root.path("trustDomainAliases")) {
      aliases.add(alias.asText());
    }
    Map<String, ExtensionProvider> providers =
        ExtensionProviderReader.read(root.path("extensionProviders"), name);
    return new MeshSettings(rootNamespace, normalization, trustDomain, aliases, providers);
  }

  private static String text(JsonNode node, String field, String fallback, String name)
      throws MeshConfigException {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return fallback;
    }
    if (!v.isTextual()) {
      throw new MeshConfigException(name + ": " + field + ": expected a string");
    }
    return v.asText();
  }

  /** A MeshConfig file that cannot be used. */
  public static final class MeshConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    public MeshConfigException(String message) {
      super(message);
    }
  }
}
