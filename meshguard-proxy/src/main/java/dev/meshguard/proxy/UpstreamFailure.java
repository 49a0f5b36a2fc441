package dev.meshguard.proxy;

/**
 * Why an allowed request got no upstream response, with the status and body Envoy's router sends
 * for the same failure (`source/common/router/router.cc` onUpstreamReset/onResponseTimeout; reset
 * reason names from `Http::Utility::resetReasonToString`). meshguard does not retry, so the body
 * never has Envoy's `retried and the latest` part.
 */
enum UpstreamFailure {
  /** Connection refused or unreachable. */
  CONNECT_FAILURE(
      503,
      "upstream connect error or disconnect/reset before headers. reset reason: remote connection"
          + " failure, transport failure reason: delayed connect error: Connection refused"),
  /** The connect timeout passed. */
  CONNECT_TIMEOUT(
      503,
      "upstream connect error or disconnect/reset before headers. reset reason: connection"
          + " timeout"),
  /** The upstream closed or reset the connection before sending response headers. */
  CONNECTION_TERMINATION(
      503,
      "upstream connect error or disconnect/reset before headers. reset reason: connection"
          + " termination"),
  /** The upstream sent something that is not an HTTP/1.1 response. */
  PROTOCOL_ERROR(
      502,
      "upstream connect error or disconnect/reset before headers. reset reason: protocol error"),
  /** The request timeout passed before the response was complete. */
  REQUEST_TIMEOUT(504, "upstream request timeout");

  private final int status;
  private final String body;

  UpstreamFailure(int status, String body) {
    this.status = status;
    this.body = body;
  }

  int status() {
    return status;
  }

  String body() {
    return body;
  }
}
