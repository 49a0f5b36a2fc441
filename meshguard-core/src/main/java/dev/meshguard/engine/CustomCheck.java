package dev.meshguard.engine;

import dev.meshguard.jwks.ServiceRoute;
import java.util.Objects;

/**
 * A request that a CUSTOM policy hands to an external authorizer: the question a front end must put
 * to the provider before the engine can decide.
 *
 * @param policy `namespace/name` of the CUSTOM policy whose rule matched
 * @param providerName the policy's `provider.name`
 * @param provider the provider's settings, or null when the mesh config has no such ext_authz
 *     provider (then nobody is asked: istiod turns the rules into DENY)
 * @param path the path the provider is told (Envoy's `:path` when ext_authz runs): normalised as
 *     the mesh config says, with the query
 * @param route how the provider's service is reached with the configuration in force (null when
 *     there is no provider)
 */
public record CustomCheck(
    String policy,
    String providerName,
    ExtAuthzProvider provider,
    String path,
    ServiceRoute route) {
  public CustomCheck {
    Objects.requireNonNull(policy, "policy");
    Objects.requireNonNull(providerName, "providerName");
    Objects.requireNonNull(path, "path");
  }
}
