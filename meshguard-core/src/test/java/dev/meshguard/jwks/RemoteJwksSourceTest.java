package dev.meshguard.jwks;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.ECKey;
import dev.meshguard.jwks.JwksServer.Reply;
import dev.meshguard.jwt.JwksSource;
import dev.meshguard.jwt.JwksSource.KeySetLookup;
import dev.meshguard.jwt.JwtStatus;
import dev.meshguard.testing.TestKeys;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One remote source against a real loopback endpoint, with time moved by hand: first fetch,
 * rotation, refresh, outages and the stale window, timeouts, concurrency. Tests that need keys to
 * load are skipped until the real `JwkSet.parse` is in; the failure paths run now.
 */
class RemoteJwksSourceTest {
  private static final Instant START = Instant.parse("2026-09-01T10:00:00Z");
  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  private final ManualClock clock = new ManualClock(START);
  private final ExecutorService threads = Executors.newCachedThreadPool();
  private JwksServer server;
  private RemoteJwksSources sources;

  private final ECKey keyA = TestKeys.key("a");
  private final ECKey keyB = TestKeys.key("b");

  @BeforeEach
  void start() throws IOException {
    server = JwksServer.http();
  }

  @AfterEach
  void stop() {
    if (sources != null) {
      sources.close();
    }
    server.close();
    threads.shutdownNow();
  }

  /** Fetches run inline: when a call returns, the fetch it started has finished. */
  private ManualScheduler inline() {
    ManualScheduler scheduler = ManualScheduler.inline(clock);
    sources = newSources(scheduler, RemoteJwksOptions.defaults());
    return scheduler;
  }

  /** Fetches run on real threads, timers by hand. */
  private ManualScheduler threaded() {
    ManualScheduler scheduler = new ManualScheduler(clock, threads);
    sources = newSources(scheduler, RemoteJwksOptions.defaults());
    return scheduler;
  }

  private RemoteJwksSources newSources(ManualScheduler scheduler, RemoteJwksOptions options) {
    return new RemoteJwksSources(options, clock, scheduler, false, InetAddress::getAllByName);
  }

  private String url() {
    return "http://127.0.0.1:" + server.port() + "/jwks";
  }

  private JwksSource source(String url, Duration timeout) {
    return sources.remote(MeshConfig.rule(TestKeys.ISSUER, url, timeout), MeshConfig.empty());
  }

  private JwksSourceHealth health() {
    return sources.health().get(0);
  }

  private static void assertFetchFailed(KeySetLookup lookup) {
    assertThat(lookup.ok()).isFalse();
    assertThat(lookup.keys()).as("no key of any kind stands in for missing keys").isNull();
    assertThat(lookup.failure()).isEqualTo(JwtStatus.JWKS_FETCH_FAIL);
    assertThat(lookup.failure().message()).isEqualTo("Jwks remote fetch is failed");
  }

  @Test
  void firstFetchStartsAtOnceAndKeysAreServedWithoutFetchingAgain() {
    server.on("/jwks", Reply.ok(TestKeys.jwks(keyA)));
    inline();
    JwksSource source = source(url(), TIMEOUT);
    assertThat(server.requests()).isEqualTo(1);
    for (int i = 0; i < 10; i++) {
      KeySetLookup lookup = source.current();
      assertThat(lookup.ok()).isTrue();
      assertThat(lookup.keys().size()).isEqualTo(1);
    }
    assertThat(server.requests()).isEqualTo(1);
    JwksSourceHealth health = health();
    assertThat(health.status()).isEqualTo(JwksSourceHealth.Status.FRESH);
    assertThat(health.keysLoaded()).isEqualTo(1);
    assertThat(health.lastSuccess()).isEqualTo(START);
    assertThat(health.nextRefresh()).isEqualTo(START.plus(Duration.ofMinutes(20)));
    assertThat(health.keysUsableUntil()).isEqualTo(START.plus(Duration.ofHours(24)));
    assertThat(health.fetchCount()).isEqualTo(1);
    assertThat(health.publishesSecretKeys()).isFalse();
    assertThat(source.description()).isEqualTo("jwksUri `" + url() + "`");
    assertThat(TestKeys.verifies(source.current().keys(), TestKeys.token(keyA, TestKeys.ISSUER)))
        .isTrue();
  }

  @Test
  void healthFlagsAKeySetThatPublishesSecretKeys() {
    server.on("/jwks", Reply.ok("{\"keys\":[" + TestKeys.key("leaky").toJSONString() + "]}"));
    inline();
    assertThat(source(url(), TIMEOUT).current().ok()).isTrue();
    assertThat(health().publishesSecretKeys()).isTrue();
  }

  @Test
  void aLookupDuringTheFirstFetchIsPendingAndItsWaitEndsWithTheFetch() throws Exception {
    server.on("/jwks", Reply.ok(TestKeys.jwks(keyA)));
    server.hold();
    threaded();
    JwksSource source = source(url(), TIMEOUT);
    awaitRequests(1);
    // returns at once although the fetch is held: the caller's thread is never blocked
    KeySetLookup first = source.current();
    assertThat(first.isPending()).isTrue();
    assertFetchFailed(first); // what a caller that does not wait gets
    assertThat(first.detail()).endsWith("no keys yet: the first fetch has not finished");
    assertThat(first.pending().timeout()).isEqualTo(TIMEOUT);
    assertThat(health().status()).isEqualTo(JwksSourceHealth.Status.LOADING);

    CompletableFuture<Void> wait = first.pending().await();
    assertThat(wait).isNotDone();
    assertThat(health().waiting()).isEqualTo(1);
    server.release();
    wait.get(30, TimeUnit.SECONDS); // a hang guard: the fetch's end completes the wait
    assertThat(health().waiting()).isZero();
    KeySetLookup after = source.current();
    assertThat(after.isPending()).isFalse();
    assertThat(after.ok()).isTrue();
    assertThat(server.requests()).isEqualTo(1);
  }

  @Test
  void manyWaitersDuringASlowFetchShareOneFetchAndHoldNoThread() throws Exception {
    server.on("/jwks", Reply.ok(TestKeys.jwks(keyA)));
    server.hold();
    threaded();
    JwksSource source = source(url(), TIMEOUT);
    awaitRequests(1);
    int callers = 40;
    List<CompletableFuture<Void>> waits = new ArrayList<>();
    for (int i = 0; i < callers; i++) {
      // all from this one thread: none of them blocks it
      KeySetLookup lookup = i % 2 == 0 ? source.refreshForUnknownKid("kid-" + i) : source.current();
      assertThat(lookup.isPending()).isTrue();
      waits.add(lookup.pending().await());
    }
    assertThat(health().waiting()).isEqualTo(callers);
    assertThat(waits).noneMatch(CompletableFuture::isDone);
    server.release();
    CompletableFuture.allOf(waits.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
    assertThat(server.requests()).as("one fetch for all callers").isEqualTo(1);
    assertThat(health().waiting()).isZero();
    assertThat(source.current().ok()).isTrue();
    assertThat(source.refreshForUnknownKid("kid-0").isPending())
        .as("the rate limit: the first fetch was forced moments ago")
        .isFalse();
  }

  @Test
  void concurrentTokensAgainstAFailingEndpointAllFailTheSameWayWithOneFetch() throws Exception {
    // Security row 20: a JWKS endpoint answering 500 while many tokens arrive.
    server.on("/jwks", new Reply(500, "boom", false));
    server.hold();
    threaded();
    JwksSource source = source(url(), TIMEOUT);
    awaitRequests(1);
    List<CompletableFuture<Void>> waits = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      KeySetLookup lookup = i % 2 == 0 ? source.refreshForUnknownKid("x") : source.current();
      waits.add(lookup.pending().await());
    }
    server.release();
    CompletableFuture.allOf(waits.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
    for (int i = 0; i < 20; i++) {
      KeySetLookup lookup = i % 2 == 0 ? source.refreshForUnknownKid("x") : source.current();
      assertThat(lookup.isPending()).isFalse();
      assertFetchFailed(lookup);
      assertThat(lookup.detail()).endsWith("no keys: http status 500");
    }
    assertThat(server.requests()).isEqualTo(1);
  }

  @Test
  void aWaiterThatGivesUpLeavesTheCountAndDoesNotDisturbTheOthers() throws Exception {
    // Security row 19: clients disconnecting while a fetch is in flight.
    server.on("/jwks", Reply.ok(TestKeys.jwks(keyA)));
    server.hold();
    ManualScheduler scheduler = threaded();
    JwksSource source = source(url(), TIMEOUT);
    awaitRequests(1);
    List<CompletableFuture<Void>> waits = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      waits.add(source.current().pending().await());
    }
    assertThat(scheduler.pending()).as("one timer per wait").hasSize(10);
    for (int i = 0; i < 5; i++) {
      waits.get(i).cancel(false); // these clients went away
    }
    assertThat(health().waiting()).isEqualTo(5);
    assertThat(scheduler.pending()).as("their timers are cancelled").hasSize(5);
    server.release();
    CompletableFuture.allOf(waits.subList(5, 10).toArray(CompletableFuture[]::new))
        .get(30, TimeUnit.SECONDS);
    assertThat(waits.subList(5, 10)).allMatch(w -> w.isDone() && !w.isCancelled());
    assertThat(health().waiting()).isZero();
    assertThat(server.requests()).isEqualTo(1);
    assertThat(source.current().ok()).isTrue();
    assertThat(scheduler.pending())
        .as("only the next refresh: the waits' timers went with the fetch")
        .containsExactly(clock.instant().plus(Duration.ofMinutes(20)));
  }

  @Test
  void aWaitEndsAtTheRulesTimeoutCountedFromItsStartWhileTheFetchGoesOn() throws Exception {
    Duration timeout = Duration.ofSeconds(30); // the fetch's own deadline, in real time, is longer
    server.on("/jwks", Reply.ok(TestKeys.jwks(keyA)));
    server.hold();
    ManualScheduler scheduler = threaded();
    JwksSource source = source(url(), timeout);
    awaitRequests(1);
    CompletableFuture<Void> early = source.current().pending().await();
    scheduler.advance(Duration.ofSeconds(20));
    CompletableFuture<Void> late = source.current().pending().await();
    scheduler.advance(Duration.ofSeconds(10));
    assertThat(early).isDone();
    assertThat(late).as("10 of its 30 seconds have passed").isNotDone();
    assertThat(health().waiting()).isEqualTo(1);
    assertThat(health().status())
        .as("the fetch is not abandoned")
        .isEqualTo(JwksSourceHealth.Status.LOADING);
    KeySetLookup afterTimeout = source.current();
    assertThat(afterTimeout.isPending()).isTrue();
    assertFetchFailed(afterTimeout); // what the engine answers for a request that waited
    scheduler.advance(Duration.ofSeconds(20));
    assertThat(late).isDone();
    assertThat(server.requests()).isEqualTo(1);

    server.release(); // the fetch still brings the keys, for the requests that come next
    awaitFetches(1);
    assertThat(source.current().ok()).isTrue();
  }

  @Test
  void aWaitStartedAfterTheFetchEndedIsDoneAtOnce() throws Exception {
    server.on("/jwks", Reply.ok(TestKeys.jwks(keyA)));
    server.hold();
    ManualScheduler scheduler = threaded();
    JwksSource source = source(url(), TIMEOUT);
    awaitRequests(1);
    KeySetLookup pending = source.current();
    server.release();
    awaitFetches(1);
    CompletableFuture<Void> wait = pending.pending().await();
    assertThat(wait).isDone();
    assertThat(health().waiting()).isZero();
    assertThat(scheduler.pending()).as("no timer for it").hasSize(1);
  }

  @Test
  void aWaitAfterTheSchedulerStoppedEndsAtOnce() throws Exception {
    server.on("/jwks", Reply.ok(TestKeys.jwks(keyA)));
    server.hold();
    JwksScheduler stopped =
        new JwksScheduler() {
          @Override
          public Cancellable schedule(Runnable task, Duration delay) {
            throw new java.util.concurrent.RejectedExecutionException("stopped");
          }

          @Override
          public void execute(Runnable task) {
            threads.execute(task);
          }

          @Override
          public void close() {}
        };
    sources =
        new RemoteJwksSources(
            RemoteJwksOptions.defaults(), clock, stopped, false, InetAddress::getAllByName);
    JwksSource source = source(url(), TIMEOUT);
    awaitRequests(1);
    CompletableFuture<Void> wait = source.current().pending().await();
    assertThat(wait).as("nothing could end it later").isDone();
    assertThat(health().waiting()).isZero();
  }

  @Test
  void unknownKidFetchesAtOnceAndIsRateLimited() {
    server.on("/jwks", Reply.ok(TestKeys.jwks(keyA)));
    inline();
    JwksSource source = source(url(), TIMEOUT);
    assertThat(source.current().keys().size()).isEqualTo(1);

    server.on("/jwks", Reply.ok(TestKeys.jwks(keyA, keyB))); // the issuer rotates
    clock.advance(Duration.ofSeconds(30));
    KeySetLookup rotated = source.refreshForUnknownKid("b");
    assertThat(server.requests()).isEqualTo(2);
    assertThat(rotated.keys().size()).isEqualTo(2);
    assertThat(TestKeys.verifies(rotated.keys(), TestKeys.token(keyB, TestKeys.ISSUER))).isTrue();

    // Forged kids cannot make us fetch more than once per 5 s.
    for (int i = 0; i < 20; i++) {
      clock.advance(Duration.ofMillis(200));
      assertThat(source.refreshForUnknownKid("forged-" + i).ok()).isTrue();
    }
    assertThat(server.requests()).isEqualTo(2);
    clock.advance(Duration.ofSeconds(1));
    source.refreshForUnknownKid("forged");
    assertThat(server.requests()).isEqualTo(3);
  }

  @Test
  void aForcedFetchPostponesTheNextPeriodicRefresh() {
    server.on("/jwks", Reply.ok(TestKeys.jwks(keyA)));
    ManualScheduler scheduler = inline();
    JwksSource source = source(url(), TIMEOUT);
    clock.advance(Duration.ofMinutes(10));
    source.refreshForUnknownKid("b");
    assertThat(scheduler.pending()).containsExactly(clock.instant().plus(Duration.ofMinutes(20)));
  }

  @Test
  void periodicRefreshDropsARemovedKey() {
    server.on("/jwks", Reply.ok(TestKeys.jwks(keyA, keyB)));
    ManualScheduler scheduler = inline();
    JwksSource source = source(url(), TIMEOUT);
    assertThat(source.current().keys().size()).isEqualTo(2);

    server.on("/jwks", Reply.ok(TestKeys.jwks(keyB))); // key a is withdrawn
    scheduler.advance(Duration.ofMinutes(19));
    assertThat(server.requests()).isEqualTo(1);
    assertThat(source.current().keys().size()).isEqualTo(2);
    scheduler.advance(Duration.ofMinutes(1));
    assertThat(server.requests()).isEqualTo(2);
    KeySetLookup after = source.current();
    assertThat(after.keys().size()).isEqualTo(1);
    assertThat(TestKeys.verifies(after.keys(), TestKeys.token(keyA, TestKeys.ISSUER))).isFalse();
    assertThat(TestKeys.verifies(after.keys(), TestKeys.token(keyB, TestKeys.ISSUER))).isTrue();
  }

  @Test
  void endpointDownAtStartFailsEveryTokenThenRecovers() throws IOException {
    int port = HttpFetcherTest.unusedPort();
    String url = "http://127.0.0.1:" + port + "/jwks";
    ManualScheduler scheduler = inline();
    JwksSource source = source(url, TIMEOUT);
    KeySetLookup lookup = source.current();
    assertFetchFailed(lookup);
    assertThat(lookup.detail()).contains("no keys: cannot connect: 127.0.0.1:" + port);
    JwksSourceHealth health = health();
    assertThat(health.status()).isEqualTo(JwksSourceHealth.Status.FAILED);
    assertThat(health.lastError()).startsWith("cannot connect");
    assertThat(health.nextRefresh()).isEqualTo(START.plusSeconds(1));

    // Retries back off: 1 s, 2 s, 4 s...
    scheduler.advance(Duration.ofSeconds(1));
    assertThat(health().nextRefresh()).isEqualTo(START.plusSeconds(1 + 2));
    scheduler.advance(Duration.ofSeconds(2));
    assertThat(health().nextRefresh()).isEqualTo(START.plusSeconds(1 + 2 + 4));
    assertThat(health().failureCount()).isEqualTo(3);

    try (JwksServer late = JwksServer.http(port)) {
      late.on("/jwks", Reply.ok(TestKeys.jwks(keyA)));
      scheduler.advance(Duration.ofSeconds(4));
      assertThat(late.requests()).isEqualTo(1);
      assertThat(source.current().ok()).isTrue();
      assertThat(health().status()).isEqualTo(JwksSourceHealth.Status.FRESH);
      assertThat(health().nextRefresh()).isEqualTo(clock.instant().plus(Duration.ofMinutes(20)));
    }
  }

  @Test
  void aRequestMeetingNoKeysForcesARateLimitedFetch() throws IOException {
    int port = HttpFetcherTest.unusedPort();
    inline();
    JwksSource source = source("http://127.0.0.1:" + port + "/jwks", TIMEOUT);
    try (JwksServer late = JwksServer.http(port)) {
      late.on("/jwks", Reply.ok(TestKeys.jwks(keyA)));
      // Within 5 s of the first (failed) fetch: no new fetch, the token fails at once.
      clock.advance(Duration.ofMillis(500));
      assertFetchFailed(source.current());
      assertThat(late.requests()).isZero();
      clock.advance(Duration.ofMillis(4500));
      assertThat(source.current().ok()).isTrue();
      assertThat(late.requests()).isEqualTo(1);
    }
  }

  @Test
  void outageMidRunServesStaleKeysForTheStaleWindowThenFails() {
    server.on("/jwks", Reply.ok(TestKeys.jwks(keyA)));
    ManualScheduler scheduler = inline();
    JwksSource source = source(url(), TIMEOUT);
    assertThat(source.current().ok()).isTrue();

    server.on("/jwks", new Reply(503, "upstream connect error", false));
    scheduler.advance(Duration.ofMinutes(20));
    KeySetLookup stale = source.current();
    assertThat(stale.ok()).isTrue();
    assertThat(stale.detail()).contains("stale: last fetch failed: http status 503");
    assertThat(health().status()).isEqualTo(JwksSourceHealth.Status.STALE);
    assertThat(health().keysLoaded()).isEqualTo(1);

    scheduler.advance(Duration.ofHours(23).plusMinutes(39));
    assertThat(source.current().ok()).as("just inside the stale window").isTrue();
    scheduler.advance(Duration.ofMinutes(1));
    KeySetLookup expired = source.current();
    assertFetchFailed(expired);
    assertThat(expired.detail()).contains("expired after the stale window");
    assertThat(health().status()).isEqualTo(JwksSourceHealth.Status.FAILED);
    assertThat(health().keysLoaded()).isZero();
    assertThat(health().lastError()).isEqualTo("http status 503");

    server.on("/jwks", Reply.ok(TestKeys.jwks(keyB)));
    scheduler.advance(Duration.ofMinutes(5)); // the longest backoff
    assertThat(source.current().ok()).isTrue();
    assertThat(health().status()).isEqualTo(JwksSourceHealth.Status.FRESH);
  }

  @Test
  void retryBackoffIsCappedAtFiveMinutes() {
    server.on("/jwks", new Reply(500, "", false));
    ManualScheduler scheduler = inline();
    source(url(), TIMEOUT);
    scheduler.advance(Duration.ofHours(1));
    Instant next = health().nextRefresh();
    assertThat(Duration.between(clock.instant(), next)).isLessThanOrEqualTo(Duration.ofMinutes(5));
    int before = server.requests();
    scheduler.advance(Duration.ofMinutes(10));
    assertThat(server.requests() - before).isEqualTo(2);
  }

  @Test
  void slowEndpointFailsTheFetchAtTheRulesTimeout() throws Exception {
    server.on("/jwks", Reply.ok(TestKeys.jwks(keyA)));
    server.hold();
    threaded();
    JwksSource source = source(url(), Duration.ofMillis(200));
    awaitFetches(1); // the fetch's own deadline, in real time
    server.release();
    assertThat(health().lastError()).startsWith("timed out after 200 ms");
    KeySetLookup lookup = source.current();
    assertThat(lookup.isPending()).isFalse();
    assertFetchFailed(lookup);
    assertThat(lookup.detail()).contains("no keys: timed out after 200 ms");
  }

  @Test
  void malformedOversizedAndErrorResponsesNeverYieldKeys() {
    String secret = "do-not-echo-0xC0FFEE";
    List<Reply> bad =
        List.of(
            Reply.ok("{\"keys\": [" + secret),
            Reply.ok("not json " + secret),
            Reply.ok("{\"keys\": []}"),
            Reply.ok("{}"),
            Reply.ok(""),
            Reply.ok("{\"keys\":[{\"kty\":\"RSA\",\"n\":\"" + "A".repeat(2 << 20) + "\"}]}"),
            new Reply(500, secret, false),
            new Reply(404, secret, false),
            new Reply(301, "", false));
    inline();
    int i = 0;
    for (Reply reply : bad) {
      server.on("/bad" + i, reply);
      JwksSource source = source("http://127.0.0.1:" + server.port() + "/bad" + i, TIMEOUT);
      KeySetLookup lookup = source.current();
      assertFetchFailed(lookup);
      assertThat(lookup.detail()).doesNotContain(secret);
      i++;
    }
    assertThat(sources.health())
        .hasSize(bad.size())
        .allSatisfy(
            h -> {
              assertThat(h.status()).isEqualTo(JwksSourceHealth.Status.FAILED);
              assertThat(h.keysLoaded()).isZero();
              assertThat(h.lastError()).isNotBlank().doesNotContain(secret);
            });
    assertThat(sources.health())
        .anySatisfy(h -> assertThat(h.lastError()).contains("larger than 1048576 bytes"));
  }

  @Test
  void aFailedRefreshNeverReplacesGoodKeys() {
    server.on("/jwks", Reply.ok(TestKeys.jwks(keyA)));
    ManualScheduler scheduler = inline();
    JwksSource source = source(url(), TIMEOUT);
    server.on("/jwks", Reply.ok("{\"keys\": \"garbage\"}"));
    scheduler.advance(Duration.ofMinutes(20));
    KeySetLookup lookup = source.current();
    assertThat(lookup.keys().size()).isEqualTo(1);
    assertThat(health().lastError()).startsWith("invalid jwks: ");
  }

  @Test
  void closedSourceFetchesNoMore() {
    server.on("/jwks", new Reply(500, "", false));
    ManualScheduler scheduler = inline();
    source(url(), TIMEOUT);
    sources.close();
    int before = server.requests();
    scheduler.advance(Duration.ofHours(1));
    assertThat(server.requests()).isEqualTo(before);
    assertThat(scheduler.pending()).isEmpty();
    sources = null;
  }

  private void awaitRequests(int n) throws InterruptedException {
    for (int i = 0; i < 3000 && server.requests() < n; i++) {
      Thread.sleep(10);
    }
    assertThat(server.requests()).isGreaterThanOrEqualTo(n);
  }

  private void awaitFetches(long n) throws InterruptedException {
    for (int i = 0; i < 3000 && health().fetchCount() < n; i++) {
      Thread.sleep(10);
    }
    assertThat(health().fetchCount()).isGreaterThanOrEqualTo(n);
  }
}
