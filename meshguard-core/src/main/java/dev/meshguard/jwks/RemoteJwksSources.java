package dev.meshguard.jwks;

import static java.util.Objects.requireNonNull;

import dev.meshguard.jwt.JwksSource;
import dev.meshguard.policy.ConfigSet;
import dev.meshguard.policy.JwtRule;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Creates and keeps the key sources of JWT rules whose keys are fetched: from `jwksUri`, or by
 * OpenID discovery from the issuer when a rule has neither `jwks` nor `jwksUri`.
 *
 * <p>Sources are cached by issuer, URL, timeout and how the host is reached (ServiceEntry,
 * DestinationRule), so a configuration reload that leaves these alone keeps the fetched keys and
 * does not fetch again. A source nobody asked for or used for {@link
 * RemoteJwksOptions#evictAfterUnused()} is closed; {@link #retainOnly} drops unused ones at once.
 *
 * <p>The engine adapts this to its {@code JwksSources} interface: {@code (rule, config) ->
 * sources.remote(rule, config)}.
 */
public final class RemoteJwksSources implements AutoCloseable {
  private static final String DISCOVERY_PATH = "/.well-known/openid-configuration";

  private record SourceKey(String issuer, String jwksUri, Duration timeout, Object route) {}

  private final RemoteJwksOptions options;
  private final Clock clock;
  private final JwksScheduler scheduler;
  private final boolean ownsScheduler;
  private final KeySetDownloader downloader;
  private final Map<SourceKey, RemoteJwksSource> sources = new ConcurrentHashMap<>();
  private volatile boolean closed;

  /** Real clock, background threads of its own (stopped by {@link #close()}). */
  public RemoteJwksSources(RemoteJwksOptions options) {
    this(options, Clock.systemUTC(), JwksScheduler.threads(), true, InetAddress::getAllByName);
  }

  /** With an injected clock and scheduler; {@link #close()} leaves the scheduler running. */
  public RemoteJwksSources(RemoteJwksOptions options, Clock clock, JwksScheduler scheduler) {
    this(options, clock, scheduler, false, InetAddress::getAllByName);
  }

  RemoteJwksSources(
      RemoteJwksOptions options,
      Clock clock,
      JwksScheduler scheduler,
      boolean ownsScheduler,
      HttpFetcher.Resolver resolver) {
    this.options = requireNonNull(options, "options");
    this.clock = requireNonNull(clock, "clock");
    this.scheduler = requireNonNull(scheduler, "scheduler");
    this.ownsScheduler = ownsScheduler;
    this.downloader =
        new KeySetDownloader(new HttpFetcher(AddressPolicy.of(options), resolver), options);
  }

  public RemoteJwksOptions options() {
    return options;
  }

  /**
   * The source for {@code rule} (which must have no inline `jwks`): its `jwksUri`, or OpenID
   * discovery. {@code config} gives the ServiceEntries and DestinationRules that say how the host
   * is reached. Never throws for a bad URL or an unreachable host: such a source fails every lookup
   * with `Jwks remote fetch is failed` and says why in its health.
   */
  public JwksSource remote(JwtRule rule, ConfigSet config) {
    requireNonNull(rule, "rule");
    requireNonNull(config, "config");
    if (rule.jwks() != null) {
      throw new IllegalArgumentException(
          "rule for issuer `" + rule.issuerOrEmpty() + "` has inline jwks");
    }
    if (closed) {
      throw new IllegalStateException("remote jwks sources are closed");
    }
    evictUnused();
    RouteResolver resolver = new RouteResolver(config, options);
    Duration timeout = timeout(rule);
    String issuer = rule.issuerOrEmpty();
    Plan plan =
        rule.jwksUri() != null
            ? planJwksUri(rule.jwksUri(), resolver, timeout)
            : planDiscovery(issuer, resolver, timeout);
    SourceKey key = new SourceKey(issuer, rule.jwksUri(), timeout, plan.routeKey());
    RemoteJwksSource[] created = new RemoteJwksSource[1];
    RemoteJwksSource source =
        sources.computeIfAbsent(
            key,
            k ->
                created[0] =
                    new RemoteJwksSource(
                        issuer,
                        plan.uri(),
                        plan.description(),
                        plan.fetch(),
                        timeout,
                        options,
                        clock,
                        scheduler));
    if (created[0] != null) {
      created[0].start();
    } else {
      source.touch();
    }
    return source;
  }

  /** The rule's timeout; a non-positive one (validation reports it) would never fetch. */
  private static Duration timeout(JwtRule rule) {
    Duration timeout = rule.timeoutOrDefault();
    return timeout.isNegative() || timeout.isZero() ? JwtRule.DEFAULT_TIMEOUT : timeout;
  }

  /** The health of every source, by issuer and URL. */
  public List<JwksSourceHealth> health() {
    List<JwksSourceHealth> all = new ArrayList<>();
    for (RemoteJwksSource source : sources.values()) {
      all.add(source.health());
    }
    all.sort(Comparator.comparing(JwksSourceHealth::issuer).thenComparing(JwksSourceHealth::uri));
    return all;
  }

  /** The health of one source made here (for `check --explain`), empty for any other source. */
  public Optional<JwksSourceHealth> health(JwksSource source) {
    return source instanceof RemoteJwksSource remote && sources.containsValue(remote)
        ? Optional.of(remote.health())
        : Optional.empty();
  }

  /**
   * Closes and forgets every source not in {@code inUse} (call after a reload with the sources the
   * new configuration uses). Returns how many were dropped.
   */
  public int retainOnly(Collection<? extends JwksSource> inUse) {
    Set<JwksSource> keep = Collections.newSetFromMap(new IdentityHashMap<>());
    keep.addAll(inUse);
    int dropped = 0;
    for (Map.Entry<SourceKey, RemoteJwksSource> entry : List.copyOf(sources.entrySet())) {
      if (!keep.contains(entry.getValue()) && sources.remove(entry.getKey(), entry.getValue())) {
        entry.getValue().close();
        dropped++;
      }
    }
    return dropped;
  }

  /** Stops all background work. */
  @Override
  public void close() {
    closed = true;
    for (RemoteJwksSource source : sources.values()) {
      source.close();
    }
    sources.clear();
    if (ownsScheduler) {
      scheduler.close();
    }
  }

  private void evictUnused() {
    Instant cutoff = clock.instant().minus(options.evictAfterUnused());
    for (Map.Entry<SourceKey, RemoteJwksSource> entry : List.copyOf(sources.entrySet())) {
      if (entry.getValue().lastUsed().isBefore(cutoff)
          && sources.remove(entry.getKey(), entry.getValue())) {
        entry.getValue().close();
      }
    }
  }

  /** What a new source needs, and the part of its cache key that says how it is reached. */
  private record Plan(
      String uri, String description, RemoteJwksSource.Fetch fetch, Object routeKey) {}

  private Plan planJwksUri(String jwksUri, RouteResolver resolver, Duration timeout) {
    Route route;
    try {
      route = resolver.resolve(jwksUri);
    } catch (FetchException e) {
      return refused(jwksUri, "jwksUri", e.getMessage());
    }
    return new Plan(
        jwksUri,
        "jwksUri " + route.describe(),
        () -> new RemoteJwksSource.Fetched(downloader.keys(route, timeout), jwksUri),
        route);
  }

  private Plan planDiscovery(String issuer, RouteResolver resolver, Duration timeout) {
    String base = issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer;
    String discoveryUri = base + DISCOVERY_PATH;
    if (issuer.isBlank()) {
      return refused(discoveryUri, "openid discovery", "the rule has no issuer to discover from");
    }
    Route route;
    try {
      route = resolver.resolve(discoveryUri);
    } catch (FetchException e) {
      return refused(discoveryUri, "openid discovery", e.getMessage());
    }
    RemoteJwksSource.Fetch fetch =
        () -> {
          String jwksUri = downloader.discoveredJwksUri(route, timeout);
          Route keysRoute;
          try {
            keysRoute = resolver.resolve(jwksUri);
          } catch (FetchException e) {
            throw new FetchException("discovered jwks_uri: " + e.getMessage());
          }
          return new RemoteJwksSource.Fetched(downloader.keys(keysRoute, timeout), jwksUri);
        };
    // The jwks_uri is learnt later, so every routing input is part of the key.
    return new Plan(
        discoveryUri,
        "openid discovery " + route.describe(),
        fetch,
        List.of(route, resolver.fingerprint()));
  }

  private static Plan refused(String uri, String kind, String reason) {
    return new Plan(
        uri,
        kind + " `" + uri + "` (not fetched: " + reason + ")",
        () -> {
          throw new FetchException(reason);
        },
        "refused: " + reason);
  }
}
