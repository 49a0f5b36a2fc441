package dev.meshguard.policy;

import dev.meshguard.policy.ServiceEntry.Endpoint;
import dev.meshguard.policy.ServiceEntry.Port;
import dev.meshguard.policy.YamlNode.MapNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Binds a ServiceEntry. Absent `location` and `resolution` read as their defaults (`MESH_EXTERNAL`,
 * `NONE`); `subjectAltNames` and `workloadSelector` are accepted and ignored.
 */
final class ServiceEntryReader {
  static final String DEFAULT_LOCATION = "MESH_EXTERNAL";
  static final String DEFAULT_RESOLUTION = "NONE";
  static final List<String> LOCATIONS = List.of("MESH_EXTERNAL", "MESH_INTERNAL");
  static final List<String> RESOLUTIONS =
      List.of("NONE", "STATIC", "DNS", "DNS_ROUND_ROBIN", "DYNAMIC_DNS");
  private static final Set<String> SPEC_FIELDS =
      Set.of(
          "hosts",
          "addresses",
          "ports",
          "location",
          "resolution",
          "endpoints",
          "workloadSelector",
          "exportTo",
          "subjectAltNames");
  private static final Set<String> PORT_FIELDS = Set.of("number", "protocol", "name", "targetPort");
  private static final Set<String> ENDPOINT_FIELDS =
      Set.of("address", "ports", "labels", "network", "locality", "weight", "serviceAccount");
  private static final Set<String> WORKLOAD_SELECTOR_FIELDS = Set.of("labels");

  private ServiceEntryReader() {}

  static ServiceEntry read(
      DocumentOrigin origin, ObjectMeta metadata, MapNode spec, StrictReader reader) {
    reader.allowOnly(spec, "spec", SPEC_FIELDS);
    FindingSink sink = reader.sink();
    List<String> hosts = reader.stringsOrEmpty(spec.get("hosts"), "spec.hosts");
    List<String> addresses = reader.stringsOrEmpty(spec.get("addresses"), "spec.addresses");
    List<Port> ports = ports(spec.get("ports"), reader);
    String location = reader.enumValue(spec.get("location"), "spec.location", LOCATIONS);
    String resolution = reader.enumValue(spec.get("resolution"), "spec.resolution", RESOLUTIONS);
    List<YamlNode> endpointNodes = reader.list(spec.get("endpoints"), "spec.endpoints");
    List<Endpoint> endpoints = endpoints(endpointNodes, reader);
    MapNode selector = reader.map(spec.get("workloadSelector"), "spec.workloadSelector");
    if (selector != null) {
      reader.allowOnly(selector, "spec.workloadSelector", WORKLOAD_SELECTOR_FIELDS);
      reader.stringMap(selector.get("labels"), "spec.workloadSelector.labels");
      if (endpointNodes != null) {
        sink.error("spec", "only one of WorkloadSelector or Endpoints is allowed in Service Entry");
      }
    }
    reader.stringsOrEmpty(spec.get("subjectAltNames"), "spec.subjectAltNames");
    String effectiveResolution = resolution == null ? DEFAULT_RESOLUTION : resolution;
    if (effectiveResolution.equals("STATIC") && endpoints.isEmpty() && selector == null) {
      sink.warning(
          "spec.endpoints",
          "resolution STATIC without endpoints or workloadSelector: the hosts have no address to"
              + " connect to");
    }
    return new ServiceEntry(
        origin,
        metadata,
        hosts,
        addresses,
        ports,
        location == null ? DEFAULT_LOCATION : location,
        effectiveResolution,
        endpoints,
        reader.stringsOrEmpty(spec.get("exportTo"), "spec.exportTo"));
  }

  private static List<Port> ports(YamlNode node, StrictReader reader) {
    List<YamlNode> items = reader.list(node, "spec.ports");
    List<Port> ports = new ArrayList<>();
    if (items == null) {
      return ports;
    }
    for (int i = 0; i < items.size(); i++) {
      String path = Paths.index("spec.ports", i);
      if (YamlNode.isNull(items.get(i))) {
        reader.sink().error(path, "service entry port may not be null");
      }
      MapNode map = reader.map(items.get(i), path);
      if (map == null) {
        ports.add(new Port(0, null, null, null));
        continue;
      }
      reader.allowOnly(map, path, PORT_FIELDS);
      Long number = reader.integer(map.get("number"), path + ".number");
      Long targetPort = reader.integer(map.get("targetPort"), path + ".targetPort");
      if (number == null && map.get("number") == null) {
        reader.sink().error(path + ".number", "required: a port needs a number");
      }
      ports.add(
          new Port(
              number == null ? 0 : clampToInt(number),
              reader.string(map.get("protocol"), path + ".protocol"),
              reader.string(map.get("name"), path + ".name"),
              targetPort == null ? null : clampToInt(targetPort)));
    }
    return ports;
  }

  private static List<Endpoint> endpoints(List<YamlNode> items, StrictReader reader) {
    List<Endpoint> endpoints = new ArrayList<>();
    if (items == null) {
      return endpoints;
    }
    for (int i = 0; i < items.size(); i++) {
      String path = Paths.index("spec.endpoints", i);
      if (YamlNode.isNull(items.get(i))) {
        reader.sink().error(path, "endpoint cannot be nil");
      }
      MapNode map = reader.map(items.get(i), path);
      if (map == null) {
        endpoints.add(new Endpoint(null, Map.of(), Map.of(), null));
        continue;
      }
      reader.allowOnly(map, path, ENDPOINT_FIELDS);
      reader.integer(map.get("weight"), path + ".weight");
      reader.string(map.get("locality"), path + ".locality");
      reader.string(map.get("serviceAccount"), path + ".serviceAccount");
      Map<String, Long> ports = reader.integerMap(map.get("ports"), path + ".ports");
      Map<String, Integer> portNumbers = new LinkedHashMap<>();
      if (ports != null) {
        ports.forEach((name, number) -> portNumbers.put(name, clampToInt(number)));
      }
      Map<String, String> labels = reader.stringMap(map.get("labels"), path + ".labels");
      endpoints.add(
          new Endpoint(
              reader.string(map.get("address"), path + ".address"),
              portNumbers,
              labels == null ? Map.of() : labels,
              reader.string(map.get("network"), path + ".network")));
    }
    return endpoints;
  }

  /** Out-of-range numbers become -1, which every range check then reports. */
  static int clampToInt(long value) {
    return value < Integer.MIN_VALUE || value > Integer.MAX_VALUE ? -1 : (int) value;
  }
}
