package dev.meshguard.engine;

import java.util.Objects;

/**
 * The Service or ServiceEntry a meshguard instance fronts as an Istio waypoint (`--service`), in
 * the workload's namespace. Policies whose `targetRefs` name it apply, as istiod attaches them to a
 * waypoint for that service.
 *
 * @param kind which kind of object the name is; {@link Kind#EITHER} when not said
 * @param name the object's `metadata.name`
 */
public record FrontedService(Kind kind, String name) {

  /** What `--service` names. */
  public enum Kind {
    /** A `core/Service` (istiod's Kubernetes registry). */
    SERVICE,
    /** A `networking.istio.io/ServiceEntry` (istiod's external registry). */
    SERVICE_ENTRY,
    /** `--service NAME` without a kind: a Service or a ServiceEntry of that name. */
    EITHER
  }

  public FrontedService {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(name, "name");
  }

  /**
   * Parses `NAME`, `Service/NAME` or `ServiceEntry/NAME`.
   *
   * @throws IllegalArgumentException when the text is none of these
   */
  public static FrontedService parse(String text) {
    int slash = text.indexOf('/');
    Kind kind = Kind.EITHER;
    String name = text;
    if (slash >= 0) {
      String prefix = text.substring(0, slash);
      name = text.substring(slash + 1);
      kind =
          switch (prefix) {
            case "Service" -> Kind.SERVICE;
            case "ServiceEntry" -> Kind.SERVICE_ENTRY;
            default ->
                throw new IllegalArgumentException(
                    "--service: `"
                        + text
                        + "`: the kind before `/` must be Service or ServiceEntry");
          };
    }
    if (name.isBlank() || name.indexOf('/') >= 0) {
      throw new IllegalArgumentException(
          "--service: `" + text + "` is not of the form NAME, Service/NAME or ServiceEntry/NAME");
    }
    return new FrontedService(kind, name);
  }

  boolean isService(String targetName) {
    return kind != Kind.SERVICE_ENTRY && name.equals(targetName);
  }

  boolean isServiceEntry(String targetName) {
    return kind != Kind.SERVICE && name.equals(targetName);
  }

  @Override
  public String toString() {
    return switch (kind) {
      case SERVICE -> "Service/" + name;
      case SERVICE_ENTRY -> "ServiceEntry/" + name;
      case EITHER -> name;
    };
  }
}
