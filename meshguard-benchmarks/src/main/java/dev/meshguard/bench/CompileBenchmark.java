package dev.meshguard.bench;

import dev.meshguard.engine.PolicySnapshot;
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
 * What a start or a reload costs once the file is read: YAML to Istio objects, validation, and the
 * compiled snapshot of one workload, for N tenant policies ({@link TenantPolicies}). {@code
 * SingleShotTime} after a few warm-up rounds, like a reload in a running server; the first start (a
 * cold JVM) is what `scale.py` measures as `ready_s`.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5)
@Measurement(iterations = 10)
@Fork(1)
public class CompileBenchmark {
  @Param({"1000", "10000"})
  public int policies;

  private String yaml;

  @Setup
  public void setUp() throws Exception {
    yaml = TenantPolicies.yaml(policies, BenchKey.create("RS256").jwks());
  }

  @Benchmark
  public PolicySnapshot loadAndCompile() {
    return HarnessConfig.compile(yaml, TenantPolicies.NAMESPACE, TenantPolicies.LABELS);
  }
}
