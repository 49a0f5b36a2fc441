package dev.meshguard.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;

/**
 * An HTTP/1.1 `Upgrade: websocket` request, as Envoy's `upgrade_configs: websocket` (on in Istio)
 * treats it: the `Upgrade` and `Connection: upgrade` headers survive the hop-by-hop clean-up, so
 * the policies and the upstream see them; a `101 Switching Protocols` from the upstream turns both
 * connections into one byte tunnel. Other upgrades (`h2c` is the listener's) are removed.
 */
final class WebSocketUpgrade {
  private WebSocketUpgrade() {}

  /** The `Upgrade` value of a WebSocket upgrade request, or null. Before hop-by-hop removal. */
  static String requested(HttpHeaders headers) {
    String upgrade = headers.get(HttpHeaderNames.UPGRADE);
    if (upgrade == null
        || !upgrade.trim().equalsIgnoreCase("websocket")
        || !headers.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true)) {
      return null;
    }
    return upgrade;
  }

  /** Puts the upgrade back after the hop-by-hop headers were removed. */
  static void restore(HttpHeaders headers, String upgrade) {
    headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
    headers.set(HttpHeaderNames.UPGRADE, upgrade);
  }

  /** The request asked for a WebSocket upgrade (its headers as prepared). */
  static boolean isUpgrade(HttpHeaders prepared) {
    return prepared.contains(HttpHeaderNames.UPGRADE);
  }

  /** The upstream agreed: `101` naming the protocol. */
  static boolean accepted(HttpResponse response) {
    return response.status().code() == 101 && response.headers().contains(HttpHeaderNames.UPGRADE);
  }

  /** The 101 as the client gets it: hop-by-hop headers gone but the upgrade itself. */
  static void frame(HttpResponse response) {
    String upgrade = response.headers().get(HttpHeaderNames.UPGRADE);
    HopByHopHeaders.remove(response.headers());
    restore(response.headers(), upgrade);
  }
}
