package dev.meshguard.policy;

import dev.meshguard.policy.DestinationRule.ClientTls;
import dev.meshguard.policy.DestinationRule.PortTls;
import dev.meshguard.policy.YamlNode.MapNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Binds a DestinationRule, keeping only the client TLS settings (whole host and per port). Load
 * balancing, connection pool, outlier detection and the like are accepted unread; subsets and
 * workloadSelector too.
 */
final class DestinationRuleReader {
  static final List<String> TLS_MODES = List.of("DISABLE", "SIMPLE", "MUTUAL", "ISTIO_MUTUAL");
  private static final Set<String> SPEC_FIELDS =
      Set.of("host", "trafficPolicy", "subsets", "exportTo", "workloadSelector");
  private static final Set<String> TRAFFIC_POLICY_FIELDS =
      Set.of(
          "loadBalancer",
          "connectionPool",
          "outlierDetection",
          "tls",
          "portLevelSettings",
          "tunnel",
          "proxyProtocol",
          "retryBudget");
  private static final Set<String> PORT_POLICY_FIELDS =
      Set.of("port", "loadBalancer", "connectionPool", "outlierDetection", "tls");
  private static final Set<String> PORT_FIELDS = Set.of("number");
  private static final Set<String> TLS_FIELDS =
      Set.of(
          "mode",
          "clientCertificate",
          "privateKey",
          "caCertificates",
          "credentialName",
          "subjectAltNames",
          "sni",
          "insecureSkipVerify",
          "caCrl");

  private DestinationRuleReader() {}

  static DestinationRule read(
      DocumentOrigin origin, ObjectMeta metadata, MapNode spec, StrictReader reader) {
    reader.allowOnly(spec, "spec", SPEC_FIELDS);
    reader.list(spec.get("subsets"), "spec.subsets");
    reader.map(spec.get("workloadSelector"), "spec.workloadSelector");
    String host = reader.string(spec.get("host"), "spec.host");
    ClientTls tls = null;
    List<PortTls> portLevel = new ArrayList<>();
    MapNode policy = reader.map(spec.get("trafficPolicy"), "spec.trafficPolicy");
    if (policy != null) {
      reader.allowOnly(policy, "spec.trafficPolicy", TRAFFIC_POLICY_FIELDS);
      if (policy.fields().isEmpty()) {
        reader.sink().error("spec.trafficPolicy", "traffic policy must have at least one field");
      }
      tls = tls(policy.get("tls"), "spec.trafficPolicy.tls", reader);
      portLevel = portLevel(policy.get("portLevelSettings"), reader);
    }
    return new DestinationRule(
        origin,
        metadata,
        host,
        tls,
        portLevel,
        reader.stringsOrEmpty(spec.get("exportTo"), "spec.exportTo"));
  }

  private static List<PortTls> portLevel(YamlNode node, StrictReader reader) {
    String listPath = "spec.trafficPolicy.portLevelSettings";
    List<YamlNode> items = reader.list(node, listPath);
    List<PortTls> ports = new ArrayList<>();
    if (items == null) {
      return ports;
    }
    FindingSink sink = reader.sink();
    for (int i = 0; i < items.size(); i++) {
      String path = Paths.index(listPath, i);
      if (YamlNode.isNull(items.get(i))) {
        sink.error(path, "traffic policy may not be null");
        continue;
      }
      MapNode map = reader.map(items.get(i), path);
      if (map == null) {
        continue;
      }
      reader.allowOnly(map, path, PORT_POLICY_FIELDS);
      MapNode port = reader.map(map.get("port"), path + ".port");
      Long number = null;
      if (port == null) {
        sink.error(path + ".port", "portTrafficPolicy must have valid port");
      } else {
        reader.allowOnly(port, path + ".port", PORT_FIELDS);
        number = reader.integer(port.get("number"), path + ".port.number");
        if (number != null && (number < 1 || number > 65535)) {
          sink.warning(path + ".port.number", "port " + number + " never matches: use 1-65535");
        }
      }
      if (map.fields().keySet().stream().noneMatch(k -> !k.equals("port"))) {
        sink.error(path, "port traffic policy must have at least one field");
      }
      ClientTls tls = tls(map.get("tls"), path + ".tls", reader);
      if (tls != null && number != null) {
        // Port-level TLS is checked here because the record drops ports without TLS (indexes
        // shift).
        ClientTlsChecks.check(tls, path + ".tls", sink);
        ports.add(new PortTls(ServiceEntryReader.clampToInt(number), tls));
      }
    }
    return ports;
  }

  private static ClientTls tls(YamlNode node, String path, StrictReader reader) {
    MapNode map = reader.map(node, path);
    if (map == null) {
      return null;
    }
    reader.allowOnly(map, path, TLS_FIELDS);
    String mode = reader.enumValue(map.get("mode"), path + ".mode", TLS_MODES);
    if (reader.string(map.get("caCrl"), path + ".caCrl") != null) {
      reader
          .sink()
          .warning(
              path + ".caCrl", "not supported by meshguard: revoked certificates are not refused");
    }
    Boolean insecure = reader.bool(map.get("insecureSkipVerify"), path + ".insecureSkipVerify");
    return new ClientTls(
        mode == null ? "DISABLE" : mode,
        reader.string(map.get("caCertificates"), path + ".caCertificates"),
        reader.string(map.get("credentialName"), path + ".credentialName"),
        reader.string(map.get("clientCertificate"), path + ".clientCertificate"),
        reader.string(map.get("privateKey"), path + ".privateKey"),
        reader.string(map.get("sni"), path + ".sni"),
        reader.stringsOrEmpty(map.get("subjectAltNames"), path + ".subjectAltNames"),
        insecure != null && insecure);
  }
}
