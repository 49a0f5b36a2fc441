package dev.meshguard.proxy;

import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;

/**
 * A request the proxy answers itself before deciding it, as Envoy's HTTP/1 codec and connection
 * manager do: the status, Envoy's body for it, and a short reason for the access log (never a
 * header or query value: those may hold tokens).
 */
final class RequestRejected extends Exception {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final String body;

  private RequestRejected(int status, String body, String reason) {
    super(reason, null, false, false);
    this.status = status;
    this.body = body;
  }

  /** 400 `Bad Request`: the codec could not accept the request. */
  static RequestRejected badRequest(String reason) {
    return new RequestRejected(400, "Bad Request", reason);
  }

  /** 426 `Upgrade Required`: HTTP/1.0 where Envoy does not accept it. */
  static RequestRejected upgradeRequired(String reason) {
    return new RequestRejected(426, "Upgrade Required", reason);
  }

  /** 431 `Request Header Fields Too Large`. */
  static RequestRejected headersTooLarge(String reason) {
    return new RequestRejected(431, "Request Header Fields Too Large", reason);
  }

  /**
   * 501 `Not Implemented`: a transfer coding other than exactly `chunked` (Envoy's codec refuses
   * every other `Transfer-Encoding` value, lists included).
   */
  static RequestRejected notImplemented(String reason) {
    return new RequestRejected(501, "Not Implemented", reason);
  }

  /**
   * What Netty's decoder could not parse: 414 or 431 for its limits, 501 for transfer codings, 400
   * otherwise (`Transfer-Encoding` in HTTP/1.0 included).
   */
  static RequestRejected decoderFailure(Throwable cause) {
    if (cause instanceof TooLongHttpLineException) {
      return new RequestRejected(414, "URI Too Long", "request line too long");
    }
    if (cause instanceof TooLongHttpHeaderException || cause instanceof TooLongFrameException) {
      return headersTooLarge("request headers too large");
    }
    if (cause instanceof IllegalArgumentException
        && cause.getMessage() != null
        && cause.getMessage().contains("transfer coding")) {
      // Netty's RFC 9112 checks (final coding not chunked, chunked twice): pinned by
      // MalformedRequestTest, so a Netty upgrade that changes the text is noticed
      return notImplemented("unsupported transfer encoding");
    }
    return badRequest("malformed request: " + cause.getMessage());
  }

  int status() {
    return status;
  }

  String body() {
    return body;
  }

  String reason() {
    return getMessage();
  }
}
