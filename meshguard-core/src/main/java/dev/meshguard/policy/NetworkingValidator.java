package dev.meshguard.policy;

import dev.meshguard.policy.ServiceEntry.Endpoint;
import dev.meshguard.policy.ServiceEntry.Port;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The parts of istiod's ServiceEntry and DestinationRule validation that matter for reaching a
 * `jwksUri`. Host names that istiod refuses (IP addresses, for instance, which the FAQ's example
 * uses) are warnings: the host is only compared with the `jwksUri` host here.
 */
final class NetworkingValidator {
  private static final Set<String> PROTOCOLS =
      Set.of(
          "tcp",
          "udp",
          "grpc",
          "grpc-web",
          "http",
          "http_proxy",
          "http2",
          "https",
          "tls",
          "mongo",
          "redis",
          "mysql");
  private static final Set<String> HTTP_PROTOCOLS =
      Set.of("http", "http2", "http_proxy", "grpc", "grpc-web");
  private static final Set<String> TLS_PROTOCOLS = Set.of("https", "tls");

  private NetworkingValidator() {}

  static void validate(ServiceEntry entry, FindingSink sink) {
    String resolution = entry.resolution();
    List<String> hosts = entry.hosts();
    if (hosts.isEmpty()) {
      sink.error("spec.hosts", "service entry must have at least one host");
    }
    for (int i = 0; i < hosts.size(); i++) {
      String host = hosts.get(i);
      String path = Paths.index("spec.hosts", i);
      if (host.equals("*")) {
        sink.error(path, "invalid host " + Text.quote(host));
        continue;
      }
      String error = HostNames.wildcardDomainError(host);
      if (error != null) {
        sink.warning(path, "istiod refuses this host: " + error);
      } else if (!resolution.equals("DYNAMIC_DNS")
          && host.contains("*")
          && host.length() != 1
          && !host.startsWith("*.")) {
        sink.warning(path, "partial wildcard " + Text.quote(host) + " not allowed");
      }
    }
    boolean cidr = false;
    for (int i = 0; i < entry.addresses().size(); i++) {
      String address = entry.addresses().get(i);
      String path = Paths.index("spec.addresses", i);
      if (address.chars().filter(c -> c == '/').count() == 1) {
        cidr = true;
        if (IpAddresses.prefixError(address) != null) {
          sink.error(path, Text.quote(address) + " is not a valid CIDR block");
        }
      } else if (IpAddresses.parseAddress(address) == null) {
        sink.error(path, Text.quote(address) + " is not a valid IP address");
      }
    }
    if (cidr && !resolution.equals("NONE") && !resolution.equals("STATIC")) {
      sink.error(
          "spec.addresses", "CIDR addresses are allowed only for NONE/STATIC resolution types");
    }
    Set<String> portNames = checkPorts(entry.ports(), sink);
    checkEndpoints(entry, portNames, sink);
    if (!resolution.equals("NONE") && hosts.size() > 1) {
      for (Port port : entry.ports()) {
        String protocol = lower(port.protocol());
        if (!HTTP_PROTOCOLS.contains(protocol) && !TLS_PROTOCOLS.contains(protocol)) {
          sink.error("spec.hosts", "multiple hosts provided with non-HTTP, non-TLS ports");
          break;
        }
      }
    }
    ExportToChecks.check(entry.exportTo(), entry.metadata().namespace(), true, sink);
  }

  private static Set<String> checkPorts(List<Port> ports, FindingSink sink) {
    Set<String> names = new HashSet<>();
    Set<Integer> numbers = new HashSet<>();
    for (int i = 0; i < ports.size(); i++) {
      Port port = ports.get(i);
      String path = Paths.index("spec.ports", i);
      String name = port.name() == null ? "" : port.name();
      if (!names.add(name)) {
        sink.error(
            path + ".name", "service entry port name " + Text.quote(name) + " already defined");
      }
      if (!numbers.add(port.number())) {
        sink.error(path + ".number", "service entry port " + port.number() + " already defined");
      }
      if (!HostNames.isDns1123Label(name)) {
        sink.error(path + ".name", "invalid port name: " + Text.quote(name));
      }
      if (port.protocol() != null
          && !port.protocol().isEmpty()
          && !PROTOCOLS.contains(lower(port.protocol()))) {
        sink.error(path + ".protocol", "unsupported protocol: " + Text.quote(port.protocol()));
      }
      checkPortNumber(port.number(), path + ".number", sink);
      if (port.targetPort() != null) {
        checkPortNumber(port.targetPort(), path + ".targetPort", sink);
      }
    }
    return names;
  }

  private static void checkEndpoints(ServiceEntry entry, Set<String> portNames, FindingSink sink) {
    String resolution = entry.resolution();
    List<Endpoint> endpoints = entry.endpoints();
    switch (resolution) {
      case "NONE" -> {
        if (!endpoints.isEmpty()) {
          sink.error("spec.endpoints", "no endpoints should be provided for resolution type none");
        }
      }
      case "STATIC" -> {
        for (int i = 0; i < endpoints.size(); i++) {
          checkEndpoint(endpoints.get(i), Paths.index("spec.endpoints", i), portNames, false, sink);
        }
      }
      case "DNS", "DNS_ROUND_ROBIN" -> checkDnsEndpoints(entry, portNames, sink);
      case "DYNAMIC_DNS" -> {
        for (int i = 0; i < entry.hosts().size(); i++) {
          if (!entry.hosts().get(i).startsWith("*")) {
            sink.error(
                Paths.index("spec.hosts", i),
                "host must be wildcarded for resolution mode DYNAMIC_DNS");
          }
        }
        if (!entry.addresses().isEmpty()) {
          sink.error("spec.addresses", "addresses cannot be set for resolution type DYNAMIC_DNS");
        }
        if (!endpoints.isEmpty()) {
          sink.error("spec.endpoints", "endpoints cannot be set for resolution type DYNAMIC_DNS");
        }
      }
      default ->
          sink.error("spec.resolution", "unsupported resolution type " + Text.quote(resolution));
    }
  }

  private static void checkDnsEndpoints(
      ServiceEntry entry, Set<String> portNames, FindingSink sink) {
    String resolution = entry.resolution();
    List<Endpoint> endpoints = entry.endpoints();
    if (endpoints.isEmpty()) {
      for (int i = 0; i < entry.hosts().size(); i++) {
        String error = fqdnOrPrefixWildcardError(entry.hosts().get(i));
        if (error != null) {
          sink.error(
              Paths.index("spec.hosts", i),
              "hosts must be FQDN or contain only prefix wildcards if no endpoints are provided"
                  + " for resolution mode "
                  + resolution
                  + ", "
                  + error);
          break;
        }
      }
    }
    if (resolution.equals("DNS_ROUND_ROBIN") && endpoints.size() > 1) {
      sink.error(
          "spec.endpoints", "there must only be 0 or 1 endpoint for resolution mode " + resolution);
    }
    for (int i = 0; i < endpoints.size(); i++) {
      checkEndpoint(endpoints.get(i), Paths.index("spec.endpoints", i), portNames, true, sink);
    }
  }

  private static String fqdnOrPrefixWildcardError(String host) {
    return host.startsWith("*.")
        ? HostNames.fqdnError(host.substring(2))
        : HostNames.fqdnError(host);
  }

  private static void checkEndpoint(
      Endpoint endpoint, String path, Set<String> portNames, boolean allowFqdn, FindingSink sink) {
    String address = endpoint.address() == null ? "" : endpoint.address();
    if (address.isEmpty()) {
      if (Text.isNullOrEmpty(endpoint.network())) {
        sink.error(path + ".address", "address is required");
        return;
      }
      sink.warning(
          path + ".address", "address is unset with network " + Text.quote(endpoint.network()));
    } else if (address.startsWith("unix://")) {
      if (!endpoint.ports().isEmpty()) {
        sink.error(
            path + ".ports", "unix endpoint " + Text.quote(address) + " must not include ports");
      }
    } else if (IpAddresses.parseAddress(address) == null) {
      if (!allowFqdn) {
        sink.error(
            path + ".address",
            "endpoint address " + Text.quote(address) + " is not a valid IP address");
      } else if (HostNames.fqdnError(address) != null) {
        sink.error(
            path + ".address",
            "endpoint address " + Text.quote(address) + " is not a valid FQDN or an IP address");
      }
    }
    for (Map.Entry<String, Integer> port : endpoint.ports().entrySet()) {
      String portPath = Paths.key(path + ".ports", port.getKey());
      if (!portNames.contains(port.getKey())) {
        sink.error(
            portPath, "endpoint port " + port.getValue() + " is not defined by the service entry");
      }
      if (!HostNames.isDns1123Label(port.getKey())) {
        sink.error(portPath, "invalid port name: " + Text.quote(port.getKey()));
      }
      checkPortNumber(port.getValue(), portPath, sink);
    }
  }

  private static void checkPortNumber(int port, String path, FindingSink sink) {
    if (port < 1 || port > 65535) {
      sink.error(path, "port number " + port + " must be in the range 1..65535");
    }
  }

  static void validate(DestinationRule rule, FindingSink sink) {
    String host = rule.host();
    if (Text.isNullOrEmpty(host)) {
      sink.error("spec.host", "required: empty domain name not allowed");
    } else {
      String error = HostNames.wildcardDomainError(host);
      if (error != null) {
        sink.warning("spec.host", "istiod refuses this host: " + error);
      }
    }
    if (rule.tls() != null) {
      ClientTlsChecks.check(rule.tls(), "spec.trafficPolicy.tls", sink);
    }
    ExportToChecks.check(rule.exportTo(), rule.metadata().namespace(), false, sink);
  }

  private static String lower(String value) {
    return value == null ? "" : value.toLowerCase(Locale.ROOT);
  }
}
