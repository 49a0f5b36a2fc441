package dev.meshguard.engine.authz;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.meshguard.policy.AuthorizationPolicy;
import dev.meshguard.policy.Finding;
import java.util.ArrayList;
import java.util.List;

/** Compiles an AuthorizationPolicy; untranslatable rules become error findings. */
public final class PolicyCompiler {
  static final String DRY_RUN_ANNOTATION = "istio.io/dry-run";

  private PolicyCompiler() {}

  /** The compiled policy, or null when a rule could not be translated (with an error finding). */
  public static CompiledPolicy compile(
      AuthorizationPolicy policy, TrustDomainBundle trustDomains, List<Finding> findings) {
    Compiled earlier = COMPILED.getIfPresent(policy);
    if (earlier != null && earlier.trustDomains().equals(trustDomains)) {
      findings.addAll(earlier.findings());
      return earlier.policy();
    }
    List<Finding> own = new ArrayList<>();
    CompiledPolicy compiled = compileNow(policy, trustDomains, own);
    COMPILED.put(policy, new Compiled(trustDomains, compiled, List.copyOf(own)));
    findings.addAll(own);
    return compiled;
  }

  /** A policy compiled for a trust domain bundle: the result (null if invalid) and its findings. */
  private record Compiled(
      TrustDomainBundle trustDomains, CompiledPolicy policy, List<Finding> findings) {}

  /**
   * Policies compiled before, by the identity of the (immutable) policy object: a reload reuses the
   * objects of documents that did not change (see {@code DocumentReads}), so it compiles only the
   * changed ones. Weak keys: an entry goes with the last configuration that holds its policy.
   */
  private static final Cache<AuthorizationPolicy, Compiled> COMPILED =
      Caffeine.newBuilder().weakKeys().executor(Runnable::run).build();

  private static CompiledPolicy compileNow(
      AuthorizationPolicy policy, TrustDomainBundle trustDomains, List<Finding> findings) {
    RuleCompiler compiler = new RuleCompiler(policy.metadata().namespace(), trustDomains);
    List<CompiledRule> rules = new ArrayList<>();
    boolean ok = true;
    for (int i = 0; i < policy.rules().size(); i++) {
      try {
        rules.add(compiler.compile(i, policy.rules().get(i)));
      } catch (IllegalArgumentException e) {
        findings.add(Finding.error(policy.origin(), "spec.rules[" + i + "]", e.getMessage()));
        ok = false;
      }
    }
    if (!ok) {
      return null;
    }
    boolean dryRun = isDryRun(policy);
    return new CompiledPolicy(
        policy.metadata().namespace(),
        policy.metadata().name(),
        policy.action(),
        dryRun,
        policy.provider(),
        rules);
  }

  /** `istio.io/dry-run` parsed like Go's strconv.ParseBool; anything else means enforced. */
  static boolean isDryRun(AuthorizationPolicy policy) {
    String value = policy.metadata().annotations().get(DRY_RUN_ANNOTATION);
    if (value == null) {
      return false;
    }
    return switch (value) {
      case "1", "t", "T", "TRUE", "true", "True" -> true;
      default -> false;
    };
  }
}
