package dev.meshguard.engine;

import java.util.Objects;

/**
 * A request that a CUSTOM policy hands to an external authorizer: the question a front end must put
 * to the provider before the engine can decide.
 *
 * @param policy `namespace/name` of the CUSTOM policy whose rule matched
 * @param providerName the policy's `provider.name`
 * @param provider the provider's settings, or null when the mesh config has no such ext_authz
 *     provider (then nobody is asked: istiod turns the rules into DENY)
 */
public record CustomCheck(String policy, String providerName, ExtAuthzProvider provider) {
  public CustomCheck {
    Objects.requireNonNull(policy, "policy");
    Objects.requireNonNull(providerName, "providerName");
  }
}
