package dev.meshguard.cli.validate;

import dev.meshguard.policy.Finding;
import java.util.List;
import java.util.function.Predicate;

/**
 * Assigns a {@link FindingCode} to a finding from its message and field. The engine's findings
 * carry no code; their messages are stable text (tests pin them), so the first rule that matches,
 * in this order, names the code. Anything unmatched gets {@link FindingCode#MG0900} or {@link
 * FindingCode#MG0901}.
 */
public final class FindingCodes {
  private record Rule(FindingCode code, Predicate<Finding> applies) {}

  private static final List<Rule> RULES =
      List.of(
          message(FindingCode.MG0001, "invalid yaml", "not valid UTF-8"),
          message(FindingCode.MG0002, "cannot read:"),
          message(
              FindingCode.MG0003,
              "expected a Kubernetes object",
              "required: not a Kubernetes object without"),
          message(FindingCode.MG0004, "unknown kind"),
          message(FindingCode.MG0005, "unsupported apiVersion"),
          message(FindingCode.MG0006, "unknown field"),
          message(FindingCode.MG0008, "duplicate key", "merge key"),
          new Rule(FindingCode.MG0010, f -> f.message().contains("replaces the one read at")),
          new Rule(
              FindingCode.MG0011,
              f ->
                  objectField(f.field()).equals("metadata.namespace")
                      && f.message().startsWith("not set:")),
          new Rule(
              FindingCode.MG0103,
              f ->
                  f.message().startsWith("jwks contains private or symmetric key material")
                      || (f.message().startsWith("jwks key at index")
                          && f.message().contains("private key material"))),
          message(FindingCode.MG0108, "not read by istiod"),
          message(FindingCode.MG0102, "invalid jwks"),
          message(FindingCode.MG0104, "lint: keys fetched over plain http"),
          message(FindingCode.MG0105, "lint: jwksUri points at"),
          new Rule(
              FindingCode.MG0106,
              f -> f.message().startsWith("lint: issuer ") && f.message().contains("is also used")),
          message(FindingCode.MG0107, "lint: no AuthorizationPolicy in this configuration"),
          new Rule(
              FindingCode.MG0202, f -> f.message().contains("will deny all traffic to TCP ports")),
          new Rule(FindingCode.MG0203, f -> f.message().contains("does not match requests for")),
          new Rule(FindingCode.MG0204, f -> f.message().contains("only matches a string claim")),
          message(FindingCode.MG0205, "lint: the `.` in"),
          message(FindingCode.MG0206, "lint: Istio's gateway pods listen"),
          new Rule(FindingCode.MG0207, f -> f.field().contains("[istio.io/dry-run]")),
          message(FindingCode.MG0302, "workload selector specified without labels"),
          message(FindingCode.MG0402, "istiod refuses this host"),
          message(
              FindingCode.MG0007,
              "expected a ",
              "expected an ",
              "integer out of range",
              "expected one of"),
          message(FindingCode.MG0009, "required:"),
          new Rule(
              FindingCode.MG0009,
              f ->
                  f.isError()
                      && (f.message().contains("must not be empty")
                          || f.message().contains("must not be nil")
                          || f.message().contains("must be non-empty")
                          || f.message().contains("must be non-null")
                          || f.message().contains("cannot be nil")
                          || f.message().contains("may not be null"))),
          field(FindingCode.MG0101, true, "spec.jwtRules"),
          field(FindingCode.MG0301, true, "spec.selector", "spec.targetRef", "spec.targetRefs"),
          field(FindingCode.MG0201, true, "spec.rules", "spec.action", "spec.provider"),
          field(
              FindingCode.MG0401,
              true,
              "spec.hosts",
              "spec.addresses",
              "spec.ports",
              "spec.location",
              "spec.resolution",
              "spec.endpoints",
              "spec.workloadSelector",
              "spec.exportTo",
              "spec.subjectAltNames",
              "spec.host",
              "spec.trafficPolicy",
              "spec.subsets"),
          field(
              FindingCode.MG0403,
              false,
              "spec.hosts",
              "spec.addresses",
              "spec.endpoints",
              "spec.ports",
              "spec.trafficPolicy",
              "spec.host"),
          field(FindingCode.MG0501, true, "metadata"));

  private FindingCodes() {}

  public static FindingCode of(Finding f) {
    for (Rule r : RULES) {
      if (r.applies.test(f)) {
        return r.code;
      }
    }
    return f.isError() ? FindingCode.MG0900 : FindingCode.MG0901;
  }

  /** The field inside its object: `items[2].spec.rules` (in a `kind: List`) → `spec.rules`. */
  private static String objectField(String field) {
    return field.replaceFirst("^items\\[[0-9]+\\]\\.?", "");
  }

  private static Rule message(FindingCode code, String... prefixes) {
    return new Rule(
        code,
        f -> {
          for (String p : prefixes) {
            if (f.message().startsWith(p)) {
              return true;
            }
          }
          return false;
        });
  }

  private static Rule field(FindingCode code, boolean errors, String... fields) {
    return new Rule(
        code,
        f -> {
          if (f.isError() != errors) {
            return false;
          }
          String field = objectField(f.field());
          for (String p : fields) {
            if (field.equals(p) || field.startsWith(p + ".") || field.startsWith(p + "[")) {
              return true;
            }
          }
          return false;
        });
  }
}
