package dev.meshguard.engine;

import dev.meshguard.engine.match.IpMatcher;
import java.util.ArrayList;
import java.util.List;

/**
 * The client address (`remote.ip`) as Envoy derives it with `use_remote_address` and
 * `xff_num_trusted_hops = N`: the N-th address from the right of `x-forwarded-for`, or the direct
 * peer when N is 0 or the header has too few entries.
 */
public final class ForwardedFor {
  private ForwardedFor() {}

  /** Envoy ignores an entry that is not an IP address and falls back to the peer. */
  private static boolean isIpLiteral(String s) {
    if (s.isEmpty() || s.indexOf('/') >= 0) {
      return false;
    }
    try {
      IpMatcher.parse(s);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  public static String clientAddress(String peer, List<String> forwardedFor, int trustedHops) {
    if (trustedHops <= 0 || forwardedFor.isEmpty()) {
      return peer;
    }
    List<String> addresses = new ArrayList<>();
    for (String value : forwardedFor) {
      for (String part : value.split(",", -1)) {
        addresses.add(part.trim());
      }
    }
    int index = addresses.size() - trustedHops;
    if (index < 0) {
      return peer;
    }
    String candidate = addresses.get(index);
    return isIpLiteral(candidate) ? candidate : peer;
  }
}
