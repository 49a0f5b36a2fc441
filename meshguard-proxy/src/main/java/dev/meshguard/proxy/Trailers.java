package dev.meshguard.proxy;

import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.LastHttpContent;

/**
 * HTTP/1 trailers are dropped in both directions, as Envoy does with its default
 * `http_protocol_options` (`enable_trailers: false`: the codec parses trailers and throws them
 * away). Request trailers arrive after the decision was made on the headers, so forwarding them
 * would let a client add `authorization`, claim headers or `x-forwarded-*` that nothing checked.
 */
final class Trailers {
  private Trailers() {}

  /** Empties the trailers of the last part of a body; other parts are left alone. */
  static void drop(HttpContent content) {
    if (content instanceof LastHttpContent last && !last.trailingHeaders().isEmpty()) {
      last.trailingHeaders().clear();
    }
  }
}
