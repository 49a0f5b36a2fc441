package dev.meshguard.policy;

import java.util.List;

/** Everything read from the configuration paths, with the findings and notices met on the way. */
public record ConfigSet(
    List<RequestAuthentication> requestAuthentications,
    List<AuthorizationPolicy> authorizationPolicies,
    List<ServiceEntry> serviceEntries,
    List<DestinationRule> destinationRules,
    List<Finding> findings,
    List<String> notices) {

  public ConfigSet {
    requestAuthentications = List.copyOf(requestAuthentications);
    authorizationPolicies = List.copyOf(authorizationPolicies);
    serviceEntries = List.copyOf(serviceEntries);
    destinationRules = List.copyOf(destinationRules);
    findings = List.copyOf(findings);
    notices = List.copyOf(notices);
  }

  public boolean hasErrors() {
    return findings.stream().anyMatch(Finding::isError);
  }
}
