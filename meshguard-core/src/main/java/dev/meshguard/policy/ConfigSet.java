package dev.meshguard.policy;

import java.util.ArrayList;
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

  /** The objects, findings and notices of {@code parts}, in order, as one set. */
  public static ConfigSet concat(List<ConfigSet> parts) {
    List<RequestAuthentication> ra = new ArrayList<>();
    List<AuthorizationPolicy> ap = new ArrayList<>();
    List<ServiceEntry> se = new ArrayList<>();
    List<DestinationRule> dr = new ArrayList<>();
    List<Finding> findings = new ArrayList<>();
    List<String> notices = new ArrayList<>();
    for (ConfigSet part : parts) {
      ra.addAll(part.requestAuthentications);
      ap.addAll(part.authorizationPolicies);
      se.addAll(part.serviceEntries);
      dr.addAll(part.destinationRules);
      findings.addAll(part.findings);
      notices.addAll(part.notices);
    }
    return new ConfigSet(ra, ap, se, dr, findings, notices);
  }

  /** This set with {@code more} findings added after its own. */
  public ConfigSet withFindings(List<Finding> more) {
    List<Finding> all = new ArrayList<>(findings);
    all.addAll(more);
    return new ConfigSet(
        requestAuthentications,
        authorizationPolicies,
        serviceEntries,
        destinationRules,
        all,
        notices);
  }

  public boolean hasErrors() {
    return findings.stream().anyMatch(Finding::isError);
  }
}
