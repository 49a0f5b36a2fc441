package dev.meshguard.proxy;

/** An ext_authz HTTP call that cannot be read (400), with a short reason for the log. */
final class BadRequestException extends Exception {
  private static final long serialVersionUID = 1L;

  BadRequestException(String message) {
    super(message);
  }
}
