package dev.meshguard.jwks;

import java.time.Instant;

/**
 * The state of one remote key source, for `/healthz/ready` detail, `/config_dump` and metrics.
 * Errors are short and never quote a response body.
 *
 * @param issuer the rule's issuer
 * @param uri the configured `jwksUri`, or the OpenID discovery URL
 * @param description where the keys come from and how the host is reached
 * @param status what a token meets now
 * @param keysLoaded keys in use now (0 when none are usable)
 * @param keysFrom the URL the keys in use were fetched from (the discovered `jwks_uri` for
 *     discovery), null when none
 * @param lastSuccess when keys were last fetched successfully, null if never
 * @param lastFailure when a fetch last failed, null if never
 * @param lastError why it failed, null if never
 * @param fetchCount fetches finished so far (successful or not)
 * @param failureCount failed fetches so far
 * @param nextRefresh when the next background fetch is due, null when none is scheduled
 * @param keysUsableUntil when the keys in use stop being used unless a fetch succeeds, null when
 *     none are in use
 * @param publishesSecretKeys the keys in use include private or symmetric key material: anyone who
 *     can read the URL can sign tokens (Envoy accepts such sets, so meshguard does too; worth an
 *     alert)
 * @param waiting requests waiting now for a fetch of this source (asynchronously: none holds a
 *     thread), each for at most the rule's timeout
 */
public record JwksSourceHealth(
    String issuer,
    String uri,
    String description,
    Status status,
    int keysLoaded,
    String keysFrom,
    Instant lastSuccess,
    Instant lastFailure,
    String lastError,
    long fetchCount,
    long failureCount,
    Instant nextRefresh,
    Instant keysUsableUntil,
    boolean publishesSecretKeys,
    int waiting) {

  /** What a token for this source meets. */
  public enum Status {
    /** No keys yet and no fetch finished: the first fetch is running. */
    LOADING,
    /** Keys in use, and the last fetch succeeded. */
    FRESH,
    /** Keys in use, but fetches since the last success failed (within the stale window). */
    STALE,
    /** No usable keys: every token gets `Jwks remote fetch is failed`. */
    FAILED
  }

  /** Ready means tokens can be verified: keys are in use, fresh or stale. */
  public boolean hasKeys() {
    return status == Status.FRESH || status == Status.STALE;
  }
}
