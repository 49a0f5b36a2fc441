package dev.meshguard.engine.authn;

import java.util.ArrayList;
import java.util.List;

/**
 * Istio's JWT requirement tree (what istiod gives Envoy, `convertToEnvoyJwtConfig`). An OPTIONAL
 * provider Pi is required as `any{Pi, allow_missing}`, a REQUIRED one (`presence: REQUIRED`) as the
 * bare Pi. One provider: its requirement. Several, all OPTIONAL: `any{P0..Pn, all{any{P0,
 * allow_missing}, ...}}`, where the outer OR lets providers share a location. Several with one
 * REQUIRED: `all{...}` alone, so that an optional token cannot stand in for a required one.
 */
sealed interface Requirement {

  /** Verify the tokens at one provider's locations. */
  record Provider(int index) implements Requirement {}

  /** Succeeds when one child succeeds; with allowMissing also when no token was found at all. */
  record Any(List<Requirement> children, boolean allowMissing) implements Requirement {}

  /** Succeeds when every child succeeds. */
  record All(List<Requirement> children) implements Requirement {}

  static Requirement forProviders(List<JwtProvider> providers) {
    List<Requirement> and = new ArrayList<>();
    List<Requirement> or = new ArrayList<>();
    boolean anyRequired = false;
    for (int i = 0; i < providers.size(); i++) {
      Provider provider = new Provider(i);
      if (providers.get(i).required()) {
        anyRequired = true;
        and.add(provider);
      } else {
        and.add(new Any(List.of(provider), true));
        or.add(provider);
      }
    }
    if (and.size() == 1) {
      return and.get(0);
    }
    if (anyRequired) {
      return new All(and);
    }
    or.add(new All(and));
    return new Any(or, false);
  }
}
