package dev.meshguard.jwks;

/**
 * Why keys could not be fetched, in a short message safe to show in health output and logs: it
 * never holds any part of a response body (which could echo an internal service: SSRF).
 */
final class FetchException extends Exception {
  private static final long serialVersionUID = 1L;
  private static final int MAX_MESSAGE = 240;

  FetchException(String message) {
    super(shorten(message), null, false, false);
  }

  /** A message from an I/O failure: its class and (shortened) text; never a body. */
  static FetchException io(String what, Exception e) {
    String text = e.getMessage();
    String detail = e.getClass().getSimpleName() + (text == null ? "" : ": " + text);
    return new FetchException(what + ": " + detail);
  }

  static String shorten(String message) {
    if (message == null) {
      return "unknown error";
    }
    StringBuilder sb = new StringBuilder(Math.min(message.length(), MAX_MESSAGE));
    for (int i = 0; i < message.length() && sb.length() < MAX_MESSAGE; i++) {
      char c = message.charAt(i);
      sb.append(Character.isISOControl(c) ? ' ' : c);
    }
    if (message.length() > MAX_MESSAGE) {
      sb.append('…');
    }
    return sb.toString();
  }
}
