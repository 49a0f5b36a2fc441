package dev.meshguard.extauthz;

import dev.meshguard.engine.FrontedService;
import dev.meshguard.engine.Workload;
import dev.meshguard.runtime.WorkloadLabels;
import io.envoyproxy.envoy.service.auth.v3.AttributeContext;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;
import java.util.Map;
import java.util.Objects;

/**
 * Which workload's policies decide one Check call, so that one server can answer for a whole mesh.
 * In order:
 *
 * <ol>
 *   <li>the `context_extensions` keys `namespace`, `labels` (`k=v,k=v`) and `service` (as
 *       `--service`; empty for none), which Envoy sets per route or virtual host
 *       (`ExtAuthzPerRoute.check_settings`) and the client cannot touch; a missing key takes the
 *       command line's value;
 *   <li>when {@code principalLabel} is set, the destination's SPIFFE identity
 *       `spiffe://TD/ns/NS/sa/SA`: namespace NS, labels {@code principalLabel}=SA;
 *   <li>otherwise the command line's workload (null is returned).
 * </ol>
 *
 * <p>Request headers never choose the workload: the client controls them.
 */
public final class RequestWorkload {
  public static final String NAMESPACE_KEY = "namespace";
  public static final String LABELS_KEY = "labels";

  /** `[Service/|ServiceEntry/]NAME`: the service a waypoint fronts, as `--service`. */
  public static final String SERVICE_KEY = "service";

  private final Workload defaults;
  private final String principalLabel;

  /**
   * @param defaults the command line's `--namespace` and `--labels`
   * @param principalLabel the label the destination's service account is taken as, or null to
   *     ignore the destination's identity
   */
  public RequestWorkload(Workload defaults, String principalLabel) {
    this.defaults = Objects.requireNonNull(defaults, "defaults");
    this.principalLabel = principalLabel;
  }

  /**
   * The workload of {@code request}, or null for the command line's.
   *
   * @throws IllegalArgumentException when `context_extensions` carries malformed labels
   */
  public Workload of(CheckRequest request) {
    AttributeContext attributes = request.getAttributes();
    Map<String, String> extensions = attributes.getContextExtensionsMap();
    String namespace = extensions.get(NAMESPACE_KEY);
    String labels = extensions.get(LABELS_KEY);
    String service = extensions.get(SERVICE_KEY);
    if (namespace != null || labels != null || service != null) {
      return new Workload(
          namespace == null || namespace.isEmpty() ? defaults.namespace() : namespace,
          labels == null ? defaults.labels() : WorkloadLabels.parse(labels),
          service == null
              ? defaults.service()
              : service.isEmpty() ? null : FrontedService.parse(service));
    }
    if (principalLabel != null) {
      Workload fromPrincipal = fromSpiffeId(attributes.getDestination().getPrincipal());
      if (fromPrincipal != null) {
        return fromPrincipal;
      }
    }
    return null;
  }

  /** `spiffe://TD/ns/NS/sa/SA` as namespace NS with label principalLabel=SA; null otherwise. */
  private Workload fromSpiffeId(String principal) {
    if (!principal.startsWith("spiffe://")) {
      return null;
    }
    String[] parts = principal.substring("spiffe://".length()).split("/", -1);
    if (parts.length != 5
        || !parts[1].equals("ns")
        || !parts[3].equals("sa")
        || parts[2].isEmpty()
        || parts[4].isEmpty()) {
      return null;
    }
    return new Workload(parts[2], Map.of(principalLabel, parts[4]));
  }
}
