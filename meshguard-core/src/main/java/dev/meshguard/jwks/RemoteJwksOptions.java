package dev.meshguard.jwks;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;

/**
 * How remote key sets are fetched, kept and refused. Start from {@link #defaults()} and change what
 * differs with {@link #toBuilder()}.
 *
 * @param refreshInterval how often keys are fetched again while all is well (istiod's
 *     `PILOT_JWT_PUB_KEY_REFRESH_INTERVAL`, 20 min)
 * @param forcedRefetchMinInterval the least time between two fetches forced by requests (a token
 *     with an unknown `kid`, or a request meeting a source without keys); bounds what a stream of
 *     forged `kid`s can make us fetch
 * @param staleWindow how long keys stay in use after the last successful fetch when every refresh
 *     since has failed; past it, tokens get `Jwks remote fetch is failed`. At least {@code
 *     refreshInterval}, or keys would lapse between healthy refreshes
 * @param retryInitialBackoff the wait before retrying after a first failure; doubles with each
 *     failure in a row
 * @param retryMaxBackoff the longest wait between retries (also capped by {@code refreshInterval})
 * @param maxBodyBytes the largest response body accepted (JWKS and discovery documents)
 * @param maxKeys the most keys a fetched set may hold
 * @param allowLinkLocal when true, link-local and cloud-metadata addresses may be fetched from
 *     (SSRF protection off for them; only for tests and deliberate setups)
 * @param blockedCidrs further address ranges never fetched from (like istiod's
 *     `BLOCKED_CIDRS_IN_JWKS_URIS`), e.g. `10.0.0.0/8`
 * @param registryOnly Istio's `outboundTrafficPolicy: REGISTRY_ONLY`: a host outside the cluster
 *     domain must be declared by a ServiceEntry, or nothing is fetched
 * @param clusterDomain the Kubernetes cluster domain; `*.svc` and `*.svc.<clusterDomain>` hosts are
 *     services of the registry
 * @param evictAfterUnused a source that no rule asked for and no request used for this long is
 *     closed and dropped (istiod evicts after 7 days)
 */
public record RemoteJwksOptions(
    Duration refreshInterval,
    Duration forcedRefetchMinInterval,
    Duration staleWindow,
    Duration retryInitialBackoff,
    Duration retryMaxBackoff,
    int maxBodyBytes,
    int maxKeys,
    boolean allowLinkLocal,
    List<String> blockedCidrs,
    boolean registryOnly,
    String clusterDomain,
    Duration evictAfterUnused) {

  public static final Duration DEFAULT_REFRESH_INTERVAL = Duration.ofMinutes(20);
  public static final Duration DEFAULT_FORCED_REFETCH_MIN_INTERVAL = Duration.ofSeconds(5);
  public static final Duration DEFAULT_STALE_WINDOW = Duration.ofHours(24);
  public static final Duration DEFAULT_RETRY_INITIAL_BACKOFF = Duration.ofSeconds(1);
  public static final Duration DEFAULT_RETRY_MAX_BACKOFF = Duration.ofMinutes(5);
  public static final int DEFAULT_MAX_BODY_BYTES = 1 << 20;
  public static final int DEFAULT_MAX_KEYS = 100;
  public static final Duration DEFAULT_EVICT_AFTER_UNUSED = Duration.ofDays(7);

  public RemoteJwksOptions {
    positive(refreshInterval, "refreshInterval");
    requireNonNull(forcedRefetchMinInterval, "forcedRefetchMinInterval");
    if (forcedRefetchMinInterval.isNegative()) {
      throw new IllegalArgumentException("forcedRefetchMinInterval: must not be negative");
    }
    positive(staleWindow, "staleWindow");
    if (staleWindow.compareTo(refreshInterval) < 0) {
      throw new IllegalArgumentException(
          "staleWindow: must be at least refreshInterval, or keys lapse between refreshes");
    }
    positive(retryInitialBackoff, "retryInitialBackoff");
    positive(retryMaxBackoff, "retryMaxBackoff");
    if (maxBodyBytes <= 0) {
      throw new IllegalArgumentException("maxBodyBytes: must be positive");
    }
    if (maxKeys <= 0) {
      throw new IllegalArgumentException("maxKeys: must be positive");
    }
    blockedCidrs = List.copyOf(blockedCidrs);
    for (String cidr : blockedCidrs) {
      AddressPolicy.Cidr.parse(cidr); // fail at configuration time, not at the first fetch
    }
    requireNonNull(clusterDomain, "clusterDomain");
    positive(evictAfterUnused, "evictAfterUnused");
  }

  public static RemoteJwksOptions defaults() {
    return new RemoteJwksOptions(
        DEFAULT_REFRESH_INTERVAL,
        DEFAULT_FORCED_REFETCH_MIN_INTERVAL,
        DEFAULT_STALE_WINDOW,
        DEFAULT_RETRY_INITIAL_BACKOFF,
        DEFAULT_RETRY_MAX_BACKOFF,
        DEFAULT_MAX_BODY_BYTES,
        DEFAULT_MAX_KEYS,
        false,
        List.of(),
        false,
        "cluster.local",
        DEFAULT_EVICT_AFTER_UNUSED);
  }

  public Builder toBuilder() {
    return new Builder(this);
  }

  private static void positive(Duration d, String name) {
    requireNonNull(d, name);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + ": must be positive");
    }
  }

  /** Changes some options, keeping the rest. */
  public static final class Builder {
    private Duration refreshInterval;
    private Duration forcedRefetchMinInterval;
    private Duration staleWindow;
    private Duration retryInitialBackoff;
    private Duration retryMaxBackoff;
    private int maxBodyBytes;
    private int maxKeys;
    private boolean allowLinkLocal;
    private List<String> blockedCidrs;
    private boolean registryOnly;
    private String clusterDomain;
    private Duration evictAfterUnused;

    private Builder(RemoteJwksOptions o) {
      refreshInterval = o.refreshInterval;
      forcedRefetchMinInterval = o.forcedRefetchMinInterval;
      staleWindow = o.staleWindow;
      retryInitialBackoff = o.retryInitialBackoff;
      retryMaxBackoff = o.retryMaxBackoff;
      maxBodyBytes = o.maxBodyBytes;
      maxKeys = o.maxKeys;
      allowLinkLocal = o.allowLinkLocal;
      blockedCidrs = o.blockedCidrs;
      registryOnly = o.registryOnly;
      clusterDomain = o.clusterDomain;
      evictAfterUnused = o.evictAfterUnused;
    }

    public Builder refreshInterval(Duration value) {
      refreshInterval = value;
      return this;
    }

    public Builder forcedRefetchMinInterval(Duration value) {
      forcedRefetchMinInterval = value;
      return this;
    }

    public Builder staleWindow(Duration value) {
      staleWindow = value;
      return this;
    }

    public Builder retryInitialBackoff(Duration value) {
      retryInitialBackoff = value;
      return this;
    }

    public Builder retryMaxBackoff(Duration value) {
      retryMaxBackoff = value;
      return this;
    }

    public Builder maxBodyBytes(int value) {
      maxBodyBytes = value;
      return this;
    }

    public Builder maxKeys(int value) {
      maxKeys = value;
      return this;
    }

    public Builder allowLinkLocal(boolean value) {
      allowLinkLocal = value;
      return this;
    }

    public Builder blockedCidrs(List<String> value) {
      blockedCidrs = value;
      return this;
    }

    public Builder registryOnly(boolean value) {
      registryOnly = value;
      return this;
    }

    public Builder clusterDomain(String value) {
      clusterDomain = value;
      return this;
    }

    public Builder evictAfterUnused(Duration value) {
      evictAfterUnused = value;
      return this;
    }

    public RemoteJwksOptions build() {
      return new RemoteJwksOptions(
          refreshInterval,
          forcedRefetchMinInterval,
          staleWindow,
          retryInitialBackoff,
          retryMaxBackoff,
          maxBodyBytes,
          maxKeys,
          allowLinkLocal,
          blockedCidrs,
          registryOnly,
          clusterDomain,
          evictAfterUnused);
    }
  }
}
