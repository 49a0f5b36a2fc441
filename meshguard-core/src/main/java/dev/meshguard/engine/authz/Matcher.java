package dev.meshguard.engine.authz;

/** One compiled condition of a rule: a field with its values, or a `when` entry. */
interface Matcher {
  boolean matches(AuthzRequest request);

  /** How the condition reads in the policy, e.g. `to[0].operation.paths`. */
  String describe();
}
