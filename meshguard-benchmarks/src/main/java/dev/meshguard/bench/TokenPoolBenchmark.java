package dev.meshguard.bench;

import dev.meshguard.engine.CheckRequest;
import dev.meshguard.engine.Decision;
import dev.meshguard.engine.Engine;
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
 * `decide` on the shared harness's configuration (one RequestAuthentication with an inline key, one
 * ALLOW policy for any request principal), with ACCP first as `serve` runs: one token sent again
 * and again ({@code pool=1}, the verified-token cache answers) or a different token on every
 * request ({@code cache=off} turns the cache off, so every request parses and verifies: the cost of
 * a token never seen before).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class TokenPoolBenchmark {
  @Param({"RS256", "ES256"})
  public String alg;

  @Param({"1", "2000"})
  public int pool;

  @Param({"on", "off"})
  public String cache;

  private HarnessConfig config;
  private CheckRequest[] requests;
  private int next;
  private final Clock clock = Clock.systemUTC();

  @Setup
  public void setUp() throws Exception {
    if (cache.equals("off")) {
      System.setProperty("meshguard.jwt.cache.size", "0");
    }
    CryptoProviders.installPreferred();
    config = HarnessConfig.create(alg);
    requests = new CheckRequest[pool];
    for (int i = 0; i < pool; i++) {
      requests[i] = config.request("/", config.token("user-" + i));
    }
    for (CheckRequest r : requests) {
      HarnessConfig.expect(Engine.decide(config.snapshot(), r, clock), 200);
    }
  }

  @Benchmark
  public Decision decide() {
    CheckRequest r = requests[next];
    next = next + 1 == requests.length ? 0 : next + 1;
    return Engine.decide(config.snapshot(), r, clock);
  }
}
