package dev.meshguard.policy;

import java.util.List;

/** What RequestAuthentication and AuthorizationPolicy share for workload selection. */
public interface PolicyResource {
  DocumentOrigin origin();

  ObjectMeta metadata();

  /** Null when the policy has no `selector`. */
  WorkloadSelector selector();

  /** `targetRefs`, or the hidden singular `targetRef` as a one-element list. */
  List<PolicyTargetReference> targetRefs();
}
