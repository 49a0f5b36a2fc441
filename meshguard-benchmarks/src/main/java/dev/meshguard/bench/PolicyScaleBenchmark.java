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
import org.openjdk.jmh.annotations.Warmup;

/**
 * `decide` with N tenant policies ({@link TenantPolicies}, the shape of `shared/bench/scale.py`):
 * the request of the first or the last tenant, with that tenant's token (allowed by one policy) or
 * without a token (no policy matches: denied after all of them are considered). The token is the
 * same on every request, so the verified-token cache answers and the figure is the cost of
 * authorization.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class PolicyScaleBenchmark {
  @Param({"10", "1000", "10000"})
  public int policies;

  @Param({"first", "last"})
  public String hit;

  @Param({"token", "none"})
  public String token;

  private PolicySnapshot snapshot;
  private CheckRequest request;
  private final Clock clock = Clock.systemUTC();

  @Setup
  public void setUp() throws Exception {
    CryptoProviders.installPreferred();
    BenchKey key = BenchKey.create("RS256");
    snapshot =
        HarnessConfig.compile(
            TenantPolicies.yaml(policies, key.jwks()),
            TenantPolicies.NAMESPACE,
            TenantPolicies.LABELS);
    int tenant = hit.equals("first") ? 0 : policies - 1;
    String jwt = token.equals("token") ? key.token(TenantPolicies.ISSUER, "t" + tenant) : null;
    request =
        HarnessConfig.request("/svc" + tenant + "/items", jwt, TenantPolicies.headers(tenant));
    HarnessConfig.expect(decide(), jwt == null ? 403 : 200);
  }

  @Benchmark
  public Decision decide() {
    return Engine.decide(snapshot, request, clock);
  }
}
