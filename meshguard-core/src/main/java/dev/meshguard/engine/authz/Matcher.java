package dev.meshguard.engine.authz;

/** One compiled condition of a rule: a field with its values, or a `when` entry. */
interface Matcher {
  boolean matches(AuthzRequest request);

  /** How the condition reads in the policy, e.g. `to[0].operation.paths`. */
  String describe();

  /** The condition, what the request had, and whether it held: for `check --explain`. */
  default String explain(AuthzRequest request) {
    return describe() + (matches(request) ? ": holds" : ": does not hold");
  }
}
