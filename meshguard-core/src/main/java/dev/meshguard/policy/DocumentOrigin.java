package dev.meshguard.policy;

/** Where a configuration object came from: a file and the 0-based index of its YAML document. */
public record DocumentOrigin(String file, int index) {
  public static final DocumentOrigin BUILT_IN = new DocumentOrigin("<built-in>", 0);

  @Override
  public String toString() {
    return file + ":" + index;
  }
}
