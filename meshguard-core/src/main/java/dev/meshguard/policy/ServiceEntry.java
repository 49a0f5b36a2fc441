package dev.meshguard.policy;

import java.util.List;
import java.util.Map;

/** A `networking.istio.io` ServiceEntry: how a `jwksUri` host outside the registry is reached. */
public record ServiceEntry(
    DocumentOrigin origin,
    ObjectMeta metadata,
    List<String> hosts,
    List<String> addresses,
    List<Port> ports,
    String location,
    String resolution,
    List<Endpoint> endpoints,
    List<String> exportTo) {

  public ServiceEntry {
    hosts = List.copyOf(hosts);
    addresses = List.copyOf(addresses);
    ports = List.copyOf(ports);
    endpoints = List.copyOf(endpoints);
    exportTo = List.copyOf(exportTo);
  }

  /** A service port. */
  public record Port(int number, String protocol, String name, Integer targetPort) {}

  /** A workload endpoint; {@code ports} maps port names to endpoint ports. */
  public record Endpoint(
      String address, Map<String, Integer> ports, Map<String, String> labels, String network) {
    public Endpoint {
      ports = Map.copyOf(ports);
      labels = Map.copyOf(labels);
    }
  }
}
