package dev.meshguard.engine.authz;

import java.util.List;
import java.util.function.Predicate;

/** A policy field: matches when any value matches (`x`), or when none does (`notX`). */
record FieldMatcher(String field, List<Predicate<AuthzRequest>> values, boolean negated)
    implements Matcher {

  FieldMatcher {
    values = List.copyOf(values);
  }

  @Override
  public boolean matches(AuthzRequest request) {
    boolean any = false;
    for (Predicate<AuthzRequest> value : values) {
      if (value.test(request)) {
        any = true;
        break;
      }
    }
    return negated != any;
  }

  @Override
  public String describe() {
    return field;
  }
}
