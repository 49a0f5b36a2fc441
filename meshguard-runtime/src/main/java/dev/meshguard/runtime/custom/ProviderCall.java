package dev.meshguard.runtime.custom;

import dev.meshguard.engine.CheckRequest;
import dev.meshguard.engine.CustomAnswer;
import dev.meshguard.engine.CustomCheck;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * One provider's transport (HTTP or gRPC), for one route to its service. It speaks the protocol and
 * turns the provider's reply into an answer; failing open, circuits and metrics are not its
 * business ({@link CustomAuthorizers} does them).
 */
public interface ProviderCall extends AutoCloseable {

  /**
   * Asks the provider. Completes with the provider's answer (allowed, or denied with its status,
   * body and headers), or exceptionally with a {@link ProviderError} when the provider could not
   * answer (unreachable, deadline, a 5xx, a broken reply). Never blocks.
   *
   * @param body the request body to send (`includeRequestBodyInCheck`), or null
   */
  CompletableFuture<CustomAnswer> call(
      CustomCheck check, CheckRequest request, RequestBody body, Duration deadline);

  @Override
  void close();

  /**
   * Makes the transport for a provider's protocol; closed with the {@link CustomAuthorizers} it was
   * given to, after the transports it made.
   */
  @FunctionalInterface
  interface Factory extends AutoCloseable {
    ProviderCall create(
        dev.meshguard.engine.ExtAuthzProvider provider, dev.meshguard.jwks.ServiceRoute route);

    /** Releases what the transports shared (threads, resolvers); nothing by default. */
    @Override
    default void close() {}
  }

  /**
   * The request body for the check, as Envoy buffers it (`with_request_body`).
   *
   * @param bytes at most `maxRequestBytes` of it
   * @param partial whether the body was longer than what is sent
   */
  record RequestBody(byte[] bytes, boolean partial) {}
}
