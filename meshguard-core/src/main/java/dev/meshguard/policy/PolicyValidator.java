package dev.meshguard.policy;

import java.util.List;

/**
 * istiod's validation of one object, as findings (errors and istiod's warnings). {@link
 * ConfigLoader} runs it on every object it reads; it is public for objects that come from
 * elsewhere. Checks that need the document itself (unknown fields, types, a null rule) are made by
 * the loader while reading, not here.
 */
public final class PolicyValidator {
  private PolicyValidator() {}

  public static List<Finding> validate(AuthorizationPolicy policy) {
    FindingSink sink = FindingSink.detached(policy.origin());
    AuthorizationPolicyValidator.validate(policy, sink);
    return List.copyOf(sink.findings());
  }

  public static List<Finding> validate(RequestAuthentication authentication) {
    FindingSink sink = FindingSink.detached(authentication.origin());
    RequestAuthenticationValidator.validate(authentication, sink);
    return List.copyOf(sink.findings());
  }

  public static List<Finding> validate(ServiceEntry entry) {
    FindingSink sink = FindingSink.detached(entry.origin());
    NetworkingValidator.validate(entry, sink);
    return List.copyOf(sink.findings());
  }

  public static List<Finding> validate(DestinationRule rule) {
    FindingSink sink = FindingSink.detached(rule.origin());
    NetworkingValidator.validate(rule, sink);
    return List.copyOf(sink.findings());
  }
}
