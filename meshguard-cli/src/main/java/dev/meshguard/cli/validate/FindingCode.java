package dev.meshguard.cli.validate;

/**
 * Stable codes for `validate` findings, like istioctl's IST0xxx. A code, once published, keeps its
 * meaning; new kinds of finding get new codes. docs/finding-codes.md lists them (a test keeps the
 * two in step).
 */
public enum FindingCode {
  MG0001("invalid YAML or encoding"),
  MG0002("path cannot be read"),
  MG0003("not a Kubernetes object"),
  MG0004("unknown kind (a misspelt Istio kind)"),
  MG0005("unsupported apiVersion"),
  MG0006("unknown field"),
  MG0007("wrong type or value"),
  MG0008("duplicate or bad merge key"),
  MG0009("required field missing or empty"),
  MG0010("object replaced by a later one with the same kind and name"),
  MG0011("namespace not set"),
  MG0101("invalid jwtRules entry"),
  MG0102("invalid or unusable jwks"),
  MG0103("jwks holds private or symmetric key material"),
  MG0104("keys fetched over plain http"),
  MG0105("jwksUri points at a risky address"),
  MG0106("issuer used by several rules"),
  MG0107("tokens are verified but no AuthorizationPolicy requires one"),
  MG0108("field that istiod does not read (ignored)"),
  MG0201("invalid AuthorizationPolicy"),
  MG0202("DENY rule with only HTTP attributes also denies TCP traffic"),
  MG0203("host without a port never matches requests that carry one"),
  MG0204("claim value that is a boolean or number never matches"),
  MG0205("a dot in a service account matches only a dot"),
  MG0206("gateway Service ports 80/443 never match"),
  MG0207("dry-run annotation ignored or invalid"),
  MG0301("invalid selector or targetRef"),
  MG0302("workload selector without labels"),
  MG0401("invalid ServiceEntry or DestinationRule"),
  MG0402("host that istiod refuses"),
  MG0403("networking setting that has no effect or is not supported"),
  MG0501("invalid metadata"),
  MG0900("other error"),
  MG0901("other warning"),
  MG9000("other notice"),
  MG9001("kind skipped (not one meshguard reads)"),
  MG9002("directory without configuration files");

  private final String title;

  FindingCode(String title) {
    this.title = title;
  }

  public String title() {
    return title;
  }
}
