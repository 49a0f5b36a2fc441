package dev.meshguard.engine;

import java.util.concurrent.CompletableFuture;

/**
 * Asks CUSTOM policies' external authorizers (ext_authz clients), for the front ends that decide
 * with {@link Engine#decideAsync(PolicySnapshot, CheckRequest, java.time.Clock,
 * java.util.concurrent.Executor, CustomAuthorizer)}. Implementations never block: the answer
 * completes later, on any thread, and a cancelled future may stop the call.
 */
@FunctionalInterface
public interface CustomAuthorizer {
  /** Asks nobody: a CUSTOM match is denied (fail closed). */
  CustomAuthorizer NONE = (check, request) -> CompletableFuture.completedFuture(null);

  /**
   * Asks {@code check.provider()} about {@code request}. The answer applies the provider's settings
   * (`failOpen`, `statusOnError`, header lists); a null answer, or a future completed
   * exceptionally, counts as the provider's error ({@link CustomAnswer#onError}).
   */
  CompletableFuture<CustomAnswer> ask(CustomCheck check, CheckRequest request);
}
