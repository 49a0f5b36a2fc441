package dev.meshguard.bench;

import dev.meshguard.engine.CheckRequest;
import dev.meshguard.engine.Decision;
import dev.meshguard.engine.Engine;
import dev.meshguard.engine.PolicySnapshot;
import dev.meshguard.jwt.CryptoProviders;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * `decide` from one and from two threads on one shared snapshot (1,000 tenant policies, the last
 * tenant's token, the verified-token cache shared): with nothing contended on the hot path, the
 * two-thread score is twice the one-thread score on two free cores. JMH reports the total of all
 * threads; divide by the thread count for the per-thread figure.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ThreadsBenchmark {
  @Param({"1000"})
  public int policies;

  private PolicySnapshot snapshot;
  private CheckRequest[] requests;
  private final Clock clock = Clock.systemUTC();

  /** Each thread sends its own tenant's requests. */
  @State(Scope.Thread)
  public static class Caller {
    int next;
  }

  @Setup
  public void setUp() throws Exception {
    CryptoProviders.installPreferred();
    BenchKey key = BenchKey.create("RS256");
    snapshot =
        HarnessConfig.compile(
            TenantPolicies.yaml(policies, key.jwks()),
            TenantPolicies.NAMESPACE,
            TenantPolicies.LABELS);
    requests = new CheckRequest[16];
    for (int i = 0; i < requests.length; i++) {
      int tenant = policies - 1 - i;
      requests[i] =
          HarnessConfig.request(
              "/svc" + tenant + "/items",
              key.token(TenantPolicies.ISSUER, "t" + tenant),
              TenantPolicies.headers(tenant));
      HarnessConfig.expect(Engine.decide(snapshot, requests[i], clock), 200);
    }
  }

  private Decision decideNext(Caller caller) {
    CheckRequest r = requests[caller.next];
    caller.next = (caller.next + 1) & (requests.length - 1);
    return Engine.decide(snapshot, r, clock);
  }

  @Benchmark
  @Threads(1)
  public Decision oneThread(Caller caller) {
    return decideNext(caller);
  }

  @Benchmark
  @Threads(2)
  public Decision twoThreads(Caller caller) {
    return decideNext(caller);
  }
}
