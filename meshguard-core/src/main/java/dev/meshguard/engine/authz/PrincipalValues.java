package dev.meshguard.engine.authz;

import dev.meshguard.engine.authn.VerifiedClaims;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Translations of identity values the way istiod writes them for Envoy: request principals are
 * split into `iss` and `sub` matchers; peer principals, namespaces, service accounts and trust
 * domains match the peer's SPIFFE URI. User text is always quoted before it enters a regex.
 */
final class PrincipalValues {
  private static final Predicate<String> NON_EMPTY = s -> s != null && !s.isEmpty();

  private PrincipalValues() {}

  /** `requestPrincipals` / `request.auth.principal`: split at the last `/` into iss and sub. */
  static Predicate<AuthzRequest> requestPrincipal(String value) {
    Predicate<String> iss;
    Predicate<String> sub;
    if (value.equals("*")) {
      iss = NON_EMPTY;
      sub = NON_EMPTY;
    } else if (value.startsWith("*")) {
      String rest = value.substring(1);
      int slash = rest.lastIndexOf('/');
      if (slash >= 0) {
        String issSuffix = rest.substring(0, slash);
        String subExact = rest.substring(slash + 1);
        iss = issSuffix.isEmpty() ? NON_EMPTY : s -> s != null && s.endsWith(issSuffix);
        sub = s -> subExact.equals(s);
      } else {
        iss = NON_EMPTY;
        sub = s -> s != null && s.endsWith(rest);
      }
    } else if (value.endsWith("*")) {
      String rest = value.substring(0, value.length() - 1);
      int slash = rest.lastIndexOf('/');
      if (slash >= 0) {
        String issExact = rest.substring(0, slash);
        String subPrefix = rest.substring(slash + 1);
        iss = s -> issExact.equals(s);
        sub = subPrefix.isEmpty() ? NON_EMPTY : s -> s != null && s.startsWith(subPrefix);
      } else {
        iss = s -> s != null && s.startsWith(rest);
        sub = NON_EMPTY;
      }
    } else {
      int slash = value.lastIndexOf('/');
      String issExact = slash >= 0 ? value.substring(0, slash) : value;
      String subExact = slash >= 0 ? value.substring(slash + 1) : "";
      iss = s -> issExact.equals(s);
      sub = s -> subExact.equals(s);
    }
    Predicate<String> issMatch = iss;
    Predicate<String> subMatch = sub;
    return r -> {
      VerifiedClaims claims = r.claims();
      if (claims == null) {
        return false;
      }
      String issuer = claims.issuer();
      String subject = claims.subject();
      return issuer != null && subject != null && issMatch.test(issuer) && subMatch.test(subject);
    };
  }

  /** `principals` / `source.principal`: matched against `spiffe://<value>`. */
  static Predicate<AuthzRequest> peerPrincipal(String value) {
    Predicate<String> match;
    if (value.equals("*")) {
      match = NON_EMPTY;
    } else if (value.endsWith("*")) {
      String prefix = "spiffe://" + value.substring(0, value.length() - 1);
      match = s -> s != null && s.startsWith(prefix);
    } else if (value.startsWith("*")) {
      String suffix = value.substring(1);
      match = s -> s != null && s.startsWith("spiffe://") && s.endsWith(suffix);
    } else {
      String exact = "spiffe://" + value;
      match = exact::equals;
    }
    return r -> match.test(r.peerUri());
  }

  /**
   * `namespaces` / `source.namespace`: the peer URI contains `/ns/<value>/`; `*` in the value is a
   * wildcard.
   */
  static Predicate<AuthzRequest> namespace(String value) {
    Pattern pattern = Pattern.compile(".*/ns/" + glob(value) + "/.*");
    return r -> r.peerUri() != null && pattern.matcher(r.peerUri()).matches();
  }

  /** `serviceAccounts`: `ns/sa`, or `sa` in the policy's namespace. */
  static Predicate<AuthzRequest> serviceAccount(String value, String policyNamespace) {
    int slash = value.indexOf('/');
    String ns = slash >= 0 ? value.substring(0, slash) : policyNamespace;
    String sa = slash >= 0 ? value.substring(slash + 1) : value;
    Pattern pattern =
        Pattern.compile(
            "spiffe://.+/ns/" + Pattern.quote(ns) + "/(.+/|)sa/" + Pattern.quote(sa) + "(/.+)?");
    return r -> r.peerUri() != null && pattern.matcher(r.peerUri()).matches();
  }

  /** `trustDomains` / `source.trustDomain`. */
  static Predicate<AuthzRequest> trustDomain(String value) {
    Predicate<String> match;
    if (value.equals("*")) {
      match = s -> s.startsWith("spiffe://");
    } else if (value.endsWith("*")) {
      Pattern p =
          Pattern.compile(
              "spiffe://" + Pattern.quote(value.substring(0, value.length() - 1)) + "[^/]*/.*");
      match = s -> p.matcher(s).matches();
    } else if (value.startsWith("*")) {
      Pattern p = Pattern.compile("spiffe://[^/]*" + Pattern.quote(value.substring(1)) + "/.*");
      match = s -> p.matcher(s).matches();
    } else {
      String prefix = "spiffe://" + value + "/";
      match = s -> s.startsWith(prefix);
    }
    return r -> r.peerUri() != null && match.test(r.peerUri());
  }

  private static String glob(String value) {
    StringBuilder out = new StringBuilder();
    int start = 0;
    for (int i = 0; i < value.length(); i++) {
      if (value.charAt(i) == '*') {
        if (i > start) {
          out.append(Pattern.quote(value.substring(start, i)));
        }
        out.append(".*");
        start = i + 1;
      }
    }
    if (start < value.length()) {
      out.append(Pattern.quote(value.substring(start)));
    }
    return out.toString();
  }
}
