package dev.meshguard.proxy;

/** A request the proxy refuses before deciding it (400), with a short reason for the log. */
final class BadRequestException extends Exception {
  private static final long serialVersionUID = 1L;

  BadRequestException(String message) {
    super(message);
  }
}
