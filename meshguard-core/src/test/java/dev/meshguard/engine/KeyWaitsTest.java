package dev.meshguard.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.ECKey;
import dev.meshguard.jwks.JwksServer;
import dev.meshguard.jwks.JwksSourceHealth;
import dev.meshguard.jwks.ManualClock;
import dev.meshguard.jwks.ManualScheduler;
import dev.meshguard.jwks.RemoteJwksOptions;
import dev.meshguard.jwks.RemoteJwksSources;
import dev.meshguard.jwt.JwksSource;
import dev.meshguard.jwt.JwtStatus;
import dev.meshguard.policy.ConfigLoader;
import dev.meshguard.policy.ConfigSet;
import dev.meshguard.testing.TestKeys;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Deciding while keys are being fetched, against a real loopback JWKS endpoint whose answer the
 * test holds, with the timers (refreshes, the rules' timeouts) moved by hand: a request whose
 * issuer's keys are loading waits without a thread, up to its rule's timeout, and nothing else
 * waits.
 */
class KeyWaitsTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final String REMOTE = "https://remote.example.com";
  private static final String OTHER_REMOTE = "https://other-remote.example.com";
  private static final String INLINE = "https://inline.example.com";
  private static final String FETCH_FAILED = "Jwks remote fetch is failed";

  // tokens are valid for an hour from now, so the engine's clock starts now
  private final ManualClock clock = new ManualClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
  private final ExecutorService fetchThreads = Executors.newCachedThreadPool();
  private final ManualScheduler scheduler = new ManualScheduler(clock, fetchThreads);
  private final ECKey remoteKey = TestKeys.key("remote-1");
  private final ECKey otherKey = TestKeys.key("other-1");
  private final ECKey inlineKey = TestKeys.key("inline-1");
  private JwksServer idp;
  private RemoteJwksSources sources;
  private PolicySnapshot snapshot;

  @BeforeEach
  void start() throws Exception {
    idp = JwksServer.http();
    idp.on("/remote", JwksServer.Reply.ok(TestKeys.jwks(remoteKey)));
    idp.on("/other", JwksServer.Reply.ok(TestKeys.jwks(otherKey)));
    idp.hold();
    sources = new RemoteJwksSources(RemoteJwksOptions.defaults(), clock, scheduler);
    String yaml =
        """
        apiVersion: security.istio.io/v1
        kind: RequestAuthentication
        metadata: {name: jwt, namespace: default}
        spec:
          jwtRules:
          - issuer: %s
            jwksUri: http://127.0.0.1:%d/remote
            timeout: 10s
          - issuer: %s
            jwksUri: http://127.0.0.1:%d/other
            timeout: 10s
            fromHeaders: [{name: x-other-token}]
          - issuer: %s
            jwks: '%s'
        """
            .formatted(
                REMOTE,
                idp.port(),
                OTHER_REMOTE,
                idp.port(),
                INLINE,
                TestKeys.jwks(inlineKey).replace("\n", ""));
    ConfigSet config = ConfigLoader.loadString(yaml, "jwt.yaml");
    assertThat(config.hasErrors()).as(config.findings().toString()).isFalse();
    snapshot =
        SnapshotCompiler.compile(
            config, MeshSettings.defaults(), new Workload("default", Map.of()), sources::remote);
    assertThat(snapshot.hasErrors()).as(snapshot.findings().toString()).isFalse();
    awaitRequests(2); // both first fetches are in, and held
  }

  @AfterEach
  void stop() {
    idp.release();
    sources.close();
    idp.close();
    fetchThreads.shutdownNow();
  }

  private static CheckRequest request(String... headers) {
    List<Map.Entry<String, String>> entries = new ArrayList<>();
    for (int i = 0; i < headers.length; i += 2) {
      entries.add(Map.entry(headers[i], headers[i + 1]));
    }
    return new CheckRequest(
        "GET",
        "http",
        "app",
        "/api",
        RequestHeaders.of(entries),
        "10.0.0.1",
        null,
        null,
        null,
        80,
        null);
  }

  private CheckRequest remoteToken() {
    return request("authorization", "Bearer " + TestKeys.token(remoteKey, REMOTE));
  }

  private JwksSourceHealth health(String issuer) {
    return sources.health().stream().filter(h -> h.issuer().equals(issuer)).findFirst().get();
  }

  private void awaitRequests(int n) throws InterruptedException {
    for (int i = 0; i < 3000 && idp.requests() < n; i++) {
      Thread.sleep(10);
    }
    assertThat(idp.requests()).isEqualTo(n);
  }

  private void awaitWaiting(String issuer, int n) throws InterruptedException {
    for (int i = 0; i < 3000 && health(issuer).waiting() != n; i++) {
      Thread.sleep(10);
    }
    assertThat(health(issuer).waiting()).isEqualTo(n);
  }

  private static void assertFetchFailed(Decision d) {
    assertThat(d.status()).isEqualTo(401);
    assertThat(d.jwtStatus()).isEqualTo(JwtStatus.JWKS_FETCH_FAIL);
    assertThat(d.body()).isEqualTo(FETCH_FAILED);
    assertThat(d.responseHeaders())
        .containsExactly(
            Map.entry(
                "www-authenticate", "Bearer realm=\"http://app/api\", error=\"invalid_token\""));
  }

  @Test
  void requestsThatNeedNoFetchAreDecidedAtOnceWhileOthersWaitForTheirKeys() throws Exception {
    int held = 50;
    List<CompletableFuture<Decision>> waiting = new ArrayList<>();
    for (int i = 0; i < held; i++) {
      waiting.add(Engine.decideAsync(snapshot, remoteToken(), clock, Runnable::run));
    }
    assertThat(waiting).noneMatch(CompletableFuture::isDone);
    assertThat(health(REMOTE).waiting()).isEqualTo(held);

    CompletableFuture<Decision> tokenless = Engine.decideAsync(snapshot, request(), clock, r -> {});
    assertThat(tokenless).as("decided before decideAsync returned").isDone();
    assertThat(tokenless.get().status()).isEqualTo(200);
    assertThat(tokenless.get().principal()).isNull();

    CompletableFuture<Decision> inline =
        Engine.decideAsync(
            snapshot,
            request("authorization", "Bearer " + TestKeys.token(inlineKey, INLINE)),
            clock,
            r -> {});
    assertThat(inline).isDone();
    assertThat(inline.get().status()).isEqualTo(200);
    assertThat(inline.get().principal()).isEqualTo(INLINE + "/alice");
    assertThat(waiting).as("still held").noneMatch(CompletableFuture::isDone);

    idp.release();
    for (CompletableFuture<Decision> w : waiting) {
      Decision d = w.get(30, TimeUnit.SECONDS); // a hang guard: the fetch's end decides them
      assertThat(d.status()).as(d.trace().toString()).isEqualTo(200);
      assertThat(d.principal()).isEqualTo(REMOTE + "/alice");
    }
    assertThat(idp.requests()).as("one fetch per source for everyone").isEqualTo(2);
    assertThat(health(REMOTE).waiting()).isZero();
  }

  @Test
  void aHeldRequestGetsFetchFailedAtItsRulesTimeoutWhileTheFetchGoesOn() throws Exception {
    List<Runnable> resumed = new ArrayList<>();
    CompletableFuture<Decision> held =
        Engine.explainAsync(snapshot, remoteToken(), clock, resumed::add);
    scheduler.advance(TIMEOUT.minusMillis(1));
    assertThat(resumed).isEmpty();
    scheduler.advance(Duration.ofMillis(1));
    assertThat(resumed).as("the decision is made again on the resume executor").hasSize(1);
    assertThat(held).isNotDone();
    resumed.get(0).run();
    assertThat(held).isDone();
    Decision d = held.get();
    assertFetchFailed(d);
    assertThat(String.join("\n", d.trace()))
        .contains("no more waiting for the fetch in flight (a request waits at most 10000 ms");
    assertThat(health(REMOTE).status())
        .as("the fetch is not abandoned")
        .isEqualTo(JwksSourceHealth.Status.LOADING);
    assertThat(health(REMOTE).waiting()).isZero();
    assertThat(idp.requests()).isEqualTo(2);

    idp.release(); // the next request finds the keys
    for (int i = 0; i < 3000 && !health(REMOTE).hasKeys(); i++) {
      Thread.sleep(10);
    }
    assertThat(Engine.decideAsync(snapshot, remoteToken(), clock, r -> {}).get().status())
        .isEqualTo(200);
  }

  @Test
  void aFailedFetchAnswersItsWaitersAtOnce() throws Exception {
    idp.on("/remote", new JwksServer.Reply(503, "down", false));
    CompletableFuture<Decision> held =
        Engine.explainAsync(snapshot, remoteToken(), clock, Runnable::run);
    idp.release();
    Decision d = held.get(30, TimeUnit.SECONDS); // well before the rule's timeout: no timer moved
    assertFetchFailed(d);
    assertThat(String.join("\n", d.trace())).contains("no keys: http status 503");
  }

  @Test
  void cancellingADecisionEndsItsWait() throws Exception {
    CompletableFuture<Decision> held =
        Engine.decideAsync(snapshot, remoteToken(), clock, Runnable::run);
    assertThat(health(REMOTE).waiting()).isEqualTo(1);
    held.cancel(false); // the client went away
    assertThat(health(REMOTE).waiting()).isZero();
    assertThat(scheduler.pending()).as("its timer is gone").isEmpty();
  }

  @Test
  void eachSourceIsWaitedForAtMostOncePerRequest() {
    CheckRequest both =
        request(
            "authorization",
            "Bearer " + TestKeys.token(remoteKey, REMOTE),
            "x-other-token",
            TestKeys.token(otherKey, OTHER_REMOTE));
    Set<JwksSource> waited = Collections.newSetFromMap(new IdentityHashMap<>());
    Attempt first = Engine.attempt(snapshot, both, clock, waited);
    assertThat(first.isDecided()).isFalse();
    waited.add(first.source());
    Attempt second = Engine.attempt(snapshot, both, clock, waited);
    assertThat(second.isDecided()).isFalse();
    assertThat(second.source()).isNotSameAs(first.source());
    waited.add(second.source());
    Attempt third = Engine.attempt(snapshot, both, clock, waited);
    assertThat(third.isDecided()).isTrue();
    assertFetchFailed(third.decision());
    assertThat(health(REMOTE).waiting() + health(OTHER_REMOTE).waiting())
        .as("attempts alone start no wait")
        .isZero();
  }

  @Test
  void theBlockingDecisionWaitsForTheSameFetchAndGivesTheSameAnswers() throws Exception {
    ExecutorService caller = Executors.newSingleThreadExecutor();
    try {
      Future<Decision> waitsForKeys =
          caller.submit(() -> Engine.decide(snapshot, remoteToken(), clock));
      awaitWaiting(REMOTE, 1);
      scheduler.advance(TIMEOUT);
      assertFetchFailed(waitsForKeys.get(30, TimeUnit.SECONDS));

      Future<Decision> getsKeys =
          caller.submit(() -> Engine.decide(snapshot, remoteToken(), clock));
      awaitWaiting(REMOTE, 1);
      idp.release();
      Decision d = getsKeys.get(30, TimeUnit.SECONDS);
      assertThat(d.status()).isEqualTo(200);
      assertThat(d.principal()).isEqualTo(REMOTE + "/alice");
      assertThat(d).isEqualTo(Engine.decideAsync(snapshot, remoteToken(), clock, r -> {}).get());
    } finally {
      caller.shutdownNow();
    }
  }

  @Test
  void aRotationRefetchIsWaitedForWithoutAThreadToo() throws Exception {
    idp.release();
    for (int i = 0; i < 3000 && !health(REMOTE).hasKeys(); i++) {
      Thread.sleep(10);
    }
    ECKey rotated = TestKeys.key("remote-2");
    idp.on("/remote", JwksServer.Reply.ok(TestKeys.jwks(remoteKey, rotated)));
    idp.hold();
    clock.advance(Duration.ofSeconds(6)); // past the rate limit of forced fetches
    AtomicInteger resumed = new AtomicInteger();
    CompletableFuture<Decision> newKid =
        Engine.decideAsync(
            snapshot,
            request("authorization", "Bearer " + TestKeys.token(rotated, REMOTE)),
            clock,
            r -> {
              resumed.incrementAndGet();
              r.run();
            });
    assertThat(newKid).as("waits for the refetch its unknown kid started").isNotDone();
    assertThat(health(REMOTE).waiting()).isEqualTo(1);
    CompletableFuture<Decision> oldKid =
        Engine.decideAsync(snapshot, remoteToken(), clock, r -> {});
    assertThat(oldKid).as("a known kid does not wait").isDone();
    assertThat(oldKid.get().status()).isEqualTo(200);

    idp.release();
    Decision d = newKid.get(30, TimeUnit.SECONDS);
    assertThat(d.status()).as(d.trace().toString()).isEqualTo(200);
    assertThat(resumed).hasValue(1);
    assertThat(idp.requests()).isEqualTo(3);
  }
}
