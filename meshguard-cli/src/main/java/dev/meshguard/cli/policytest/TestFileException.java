package dev.meshguard.cli.policytest;

/** A test file that cannot be run: the message names the file and the field. */
public final class TestFileException extends Exception {
  private static final long serialVersionUID = 1L;

  public TestFileException(String file, String field, String message) {
    super(file + ": " + (field.isEmpty() ? "" : field + ": ") + message);
  }
}
