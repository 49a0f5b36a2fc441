package dev.meshguard.proxy;

import dev.meshguard.engine.PolicySnapshot;
import java.util.Objects;

/**
 * The snapshot requests are decided with, and whether deciding may block.
 *
 * @param mayBlock true when some JWT rule's keys are fetched (`jwksUri`, OpenID discovery): the
 *     first lookup may wait for the network, so decisions run off the event loop. With inline keys
 *     only, a decision is pure computation and runs on the event loop, saving two thread hand-offs
 *     per request.
 */
public record ActivePolicy(PolicySnapshot snapshot, boolean mayBlock) {
  public ActivePolicy {
    Objects.requireNonNull(snapshot, "snapshot");
  }
}
