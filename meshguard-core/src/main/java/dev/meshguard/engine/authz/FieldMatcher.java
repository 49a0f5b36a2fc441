package dev.meshguard.engine.authz;

import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A policy field: matches when any value matches (`x`), or when none does (`notX`).
 *
 * @param texts the values as written, for explanations
 * @param observed what the request had for this attribute, in words, for explanations
 */
record FieldMatcher(
    String field,
    List<String> texts,
    List<Predicate<AuthzRequest>> values,
    boolean negated,
    Function<AuthzRequest, String> observed)
    implements Matcher {

  FieldMatcher {
    texts = List.copyOf(texts);
    values = List.copyOf(values);
  }

  @Override
  public boolean matches(AuthzRequest request) {
    return negated != (firstMatching(request) >= 0);
  }

  private int firstMatching(AuthzRequest request) {
    for (int i = 0; i < values.size(); i++) {
      if (values.get(i).test(request)) {
        return i;
      }
    }
    return -1;
  }

  @Override
  public String describe() {
    return field;
  }

  @Override
  public String explain(AuthzRequest request) {
    int hit = firstMatching(request);
    String seen = observed.apply(request);
    String what =
        hit >= 0
            ? "`" + texts.get(hit) + "` matches " + seen
            : "none of " + texts + " matches " + seen;
    boolean holds = negated != (hit >= 0);
    return field + ": " + what + (holds ? ", so it holds" : ", so it does not hold");
  }
}
