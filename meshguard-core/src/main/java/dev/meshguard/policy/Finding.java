package dev.meshguard.policy;

import java.util.Objects;

/**
 * One problem found in configuration: where it is (file, document index, field path) and what is
 * wrong. Findings are values; errors reject a configuration, warnings are only shown.
 */
public record Finding(Severity severity, String file, int document, String field, String message) {

  /** How serious a finding is. */
  public enum Severity {
    ERROR,
    WARNING
  }

  public Finding {
    Objects.requireNonNull(severity, "severity");
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(field, "field");
    Objects.requireNonNull(message, "message");
  }

  public static Finding error(DocumentOrigin origin, String field, String message) {
    return new Finding(Severity.ERROR, origin.file(), origin.index(), field, message);
  }

  public static Finding warning(DocumentOrigin origin, String field, String message) {
    return new Finding(Severity.WARNING, origin.file(), origin.index(), field, message);
  }

  public boolean isError() {
    return severity == Severity.ERROR;
  }

  /** The `file:doc: field: message` form that `validate` prints. */
  public String format() {
    String where = field.isEmpty() ? "" : field + ": ";
    String level = severity == Severity.WARNING ? "warning: " : "";
    return file + ":" + document + ": " + level + where + message;
  }
}
