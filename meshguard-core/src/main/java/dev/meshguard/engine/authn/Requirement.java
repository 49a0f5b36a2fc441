package dev.meshguard.engine.authn;

import java.util.ArrayList;
import java.util.List;

/**
 * Istio's JWT requirement tree (what istiod gives Envoy): one provider P0 becomes `any{P0,
 * allow_missing}`; several become `any{P0..Pn, all{any{P0, allow_missing}, ...}}`.
 */
sealed interface Requirement {

  /** Verify the tokens at one provider's locations. */
  record Provider(int index) implements Requirement {}

  /** Succeeds when one child succeeds; with allowMissing also when no token was found at all. */
  record Any(List<Requirement> children, boolean allowMissing) implements Requirement {}

  /** Succeeds when every child succeeds. */
  record All(List<Requirement> children) implements Requirement {}

  static Requirement forProviders(int count) {
    if (count == 1) {
      return new Any(List.of(new Provider(0)), true);
    }
    List<Requirement> or = new ArrayList<>();
    List<Requirement> and = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      or.add(new Provider(i));
      and.add(new Any(List.of(new Provider(i)), true));
    }
    or.add(new All(and));
    return new Any(or, false);
  }
}
