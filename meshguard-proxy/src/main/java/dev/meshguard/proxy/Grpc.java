package dev.meshguard.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import java.nio.charset.StandardCharsets;

/** gRPC as Envoy recognises and answers it (`Grpc::Common`, `Grpc::Utility`). */
final class Grpc {
  static final String CONTENT_TYPE = "application/grpc";
  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private Grpc() {}

  /**
   * `content-type: application/grpc`, `application/grpc+proto`, `application/grpc;…` (Envoy's
   * `Grpc::Common::hasGrpcContentType`; gRPC-Web is not gRPC here).
   */
  static boolean isGrpc(HttpRequest request) {
    String type = request.headers().get(HttpHeaderNames.CONTENT_TYPE);
    if (type == null || !type.regionMatches(true, 0, CONTENT_TYPE, 0, CONTENT_TYPE.length())) {
      return false;
    }
    return type.length() == CONTENT_TYPE.length()
        || type.charAt(CONTENT_TYPE.length()) == '+'
        || type.charAt(CONTENT_TYPE.length()) == ';';
  }

  /**
   * The gRPC status a local reply with this HTTP status carries: Envoy's
   * `Grpc::Utility::httpToGrpcStatus` (after gRPC's http-grpc-status-mapping.md).
   */
  static int statusOf(int httpStatus) {
    return switch (httpStatus) {
      case 400 -> 13; // INTERNAL
      case 401 -> 16; // UNAUTHENTICATED
      case 403 -> 7; // PERMISSION_DENIED
      case 404 -> 12; // UNIMPLEMENTED
      case 429, 502, 503, 504 -> 14; // UNAVAILABLE
      default -> 2; // UNKNOWN
    };
  }

  /**
   * `grpc-message` as the gRPC wire spec wants it: UTF-8, every byte outside printable ASCII and
   * `%` itself percent-encoded (Envoy's `Grpc::Utility::PercentEncoding::encode`).
   */
  static String percentEncode(String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    StringBuilder sb = null;
    for (int i = 0; i < bytes.length; i++) {
      int b = bytes[i] & 0xff;
      boolean plain = b >= 0x20 && b <= 0x7e && b != '%';
      if (plain && sb == null) {
        continue;
      }
      if (sb == null) {
        sb = new StringBuilder(bytes.length + 8);
        sb.append(text, 0, i); // all ASCII so far: one char per byte
      }
      if (plain) {
        sb.append((char) b);
      } else {
        sb.append('%').append(HEX[b >> 4]).append(HEX[b & 0xf]);
      }
    }
    return sb == null ? text : sb.toString();
  }
}
