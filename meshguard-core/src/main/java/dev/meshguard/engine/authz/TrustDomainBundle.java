package dev.meshguard.engine.authz;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * The mesh trust domain and its aliases, as istiod applies them to policy values: a principal in
 * any of these trust domains (or in `cluster.local`, which stands for the local one) is matched in
 * all of them.
 */
public record TrustDomainBundle(List<String> trustDomains) {
  private static final String CLUSTER_LOCAL = "cluster.local";

  public TrustDomainBundle {
    trustDomains = List.copyOf(trustDomains);
  }

  public static TrustDomainBundle of(String trustDomain, List<String> aliases) {
    List<String> all = new ArrayList<>();
    all.add(trustDomain == null || trustDomain.isEmpty() ? CLUSTER_LOCAL : trustDomain);
    all.addAll(aliases);
    return new TrustDomainBundle(all);
  }

  /** A `principals` value and the values istiod generates for the other trust domains. */
  List<String> expandPrincipal(String principal) {
    String[] parts = principal.split("/", -1);
    if (parts.length != 5 || parts[0].equals("*")) {
      return List.of(principal);
    }
    String td = parts[0];
    if (!matchesAny(td) && !td.equals(CLUSTER_LOCAL)) {
      return List.of(principal);
    }
    LinkedHashSet<String> out = new LinkedHashSet<>();
    String rest = principal.substring(td.length());
    for (String domain : trustDomains) {
      out.add(suffixMatch(domain, td) ? principal : domain + rest);
    }
    return List.copyOf(out);
  }

  /** A `trustDomains` value: a known trust domain stands for all of them. */
  List<String> expandTrustDomain(String value) {
    return trustDomains.contains(value) ? trustDomains : List.of(value);
  }

  private boolean matchesAny(String td) {
    for (String domain : trustDomains) {
      if (suffixMatch(domain, td)) {
        return true;
      }
    }
    return false;
  }

  /** istiod's stringMatch/suffixMatch: `*suffix` in the policy matches by suffix. */
  private static boolean suffixMatch(String domain, String fromPolicy) {
    if (fromPolicy.startsWith("*")) {
      return domain.endsWith(fromPolicy.substring(1));
    }
    return domain.equals(fromPolicy);
  }
}
