package dev.meshguard.cli.validate;

/** How serious a finding is, in increasing order (`--failure-threshold` compares with it). */
public enum Severity {
  INFO,
  WARNING,
  ERROR;

  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
