package dev.meshguard.policy;

import java.util.Map;

/** `selector.matchLabels`: a policy with a selector applies to workloads carrying all labels. */
public record WorkloadSelector(Map<String, String> matchLabels) {
  public WorkloadSelector {
    matchLabels = Map.copyOf(matchLabels);
  }
}
