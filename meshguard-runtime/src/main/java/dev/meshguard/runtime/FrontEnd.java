package dev.meshguard.runtime;

import java.time.Duration;

/**
 * A front end attached to a {@link MeshguardRuntime} (the `serve` proxy, the `extauthz` gRPC
 * server), as the command that runs it stops it: readiness first, then a bounded drain.
 */
public interface FrontEnd {

  /** Readiness fails from now on; requests are still answered. Idempotent. */
  void startDraining();

  /**
   * Graceful stop: no new requests, those in flight get up to {@code grace} to finish, then
   * everything closes.
   *
   * @return whether every request finished within the grace period
   */
  boolean shutdown(Duration grace);
}
