package dev.meshguard.policy;

import dev.meshguard.policy.AuthorizationPolicy.Action;
import dev.meshguard.policy.AuthorizationPolicy.Condition;
import dev.meshguard.policy.AuthorizationPolicy.Operation;
import dev.meshguard.policy.AuthorizationPolicy.Rule;
import dev.meshguard.policy.AuthorizationPolicy.Source;
import dev.meshguard.policy.YamlNode.MapNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * Binds an AuthorizationPolicy document to the record, field by field, strictly. Only the checks
 * that need to see the document itself (a null rule, a `from` entry without `source`) are made
 * here; everything else istiod checks is in {@link AuthorizationPolicyValidator}.
 */
final class AuthorizationPolicyReader {
  static final Set<String> SPEC_FIELDS =
      Set.of("action", "provider", "rules", "selector", "targetRef", "targetRefs");
  static final List<String> ACTIONS = Arrays.stream(Action.values()).map(Action::name).toList();
  static final Set<String> SOURCE_FIELDS =
      Set.of(
          "principals",
          "notPrincipals",
          "requestPrincipals",
          "notRequestPrincipals",
          "namespaces",
          "notNamespaces",
          "serviceAccounts",
          "notServiceAccounts",
          "trustDomains",
          "notTrustDomains",
          "ipBlocks",
          "notIpBlocks",
          "remoteIpBlocks",
          "notRemoteIpBlocks");
  static final Set<String> OPERATION_FIELDS =
      Set.of(
          "hosts", "notHosts", "ports", "notPorts", "methods", "notMethods", "paths", "notPaths");
  private static final Set<String> RULE_FIELDS = Set.of("from", "to", "when");
  private static final Set<String> PROVIDER_FIELDS = Set.of("name");
  private static final Set<String> FROM_FIELDS = Set.of("source");
  private static final Set<String> TO_FIELDS = Set.of("operation");
  private static final Set<String> CONDITION_FIELDS = Set.of("key", "values", "notValues");

  private AuthorizationPolicyReader() {}

  /** The policy; {@code singularTargetRef} is set when `spec.targetRef` was used. */
  record Result(AuthorizationPolicy policy, boolean singularTargetRef) {}

  static Result read(
      DocumentOrigin origin, ObjectMeta metadata, MapNode spec, StrictReader reader) {
    reader.allowOnly(spec, "spec", SPEC_FIELDS);
    AttachmentReader.Attachment attachment = AttachmentReader.read(spec, reader);
    String actionName = reader.enumValue(spec.get("action"), "spec.action", ACTIONS);
    // An unreadable action stays null (the policy is then never kept), so that validation does
    // not report consequences of a default the author did not choose.
    Action action =
        actionName != null
            ? Action.valueOf(actionName)
            : YamlNode.isNull(spec.get("action")) ? Action.ALLOW : null;
    String provider = null;
    MapNode providerNode = reader.map(spec.get("provider"), "spec.provider");
    if (providerNode != null) {
      reader.allowOnly(providerNode, "spec.provider", PROVIDER_FIELDS);
      String name = reader.string(providerNode.get("name"), "spec.provider.name");
      provider = name == null ? "" : name;
    }
    List<Rule> rules = new ArrayList<>();
    List<YamlNode> ruleNodes = reader.list(spec.get("rules"), "spec.rules");
    if (ruleNodes != null) {
      for (int i = 0; i < ruleNodes.size(); i++) {
        rules.add(rule(ruleNodes.get(i), Paths.index("spec.rules", i), reader));
      }
    }
    AuthorizationPolicy policy =
        new AuthorizationPolicy(
            origin,
            metadata,
            attachment.selector(),
            attachment.targetRefs(),
            action,
            provider,
            rules);
    return new Result(policy, attachment.singular());
  }

  private static Rule rule(YamlNode node, String path, StrictReader reader) {
    if (YamlNode.isNull(node)) {
      reader.sink().error(path, "`rule` must not be nil");
      return new Rule(null, null, null);
    }
    MapNode map = reader.map(node, path);
    if (map == null) {
      return new Rule(null, null, null);
    }
    reader.allowOnly(map, path, RULE_FIELDS);
    List<Source> from = null;
    List<YamlNode> fromNodes = reader.list(map.get("from"), Paths.field(path, "from"));
    if (fromNodes != null) {
      from = new ArrayList<>();
      for (int i = 0; i < fromNodes.size(); i++) {
        from.add(from(fromNodes.get(i), Paths.index(Paths.field(path, "from"), i), reader));
      }
    }
    List<Operation> to = null;
    List<YamlNode> toNodes = reader.list(map.get("to"), Paths.field(path, "to"));
    if (toNodes != null) {
      to = new ArrayList<>();
      for (int i = 0; i < toNodes.size(); i++) {
        to.add(to(toNodes.get(i), Paths.index(Paths.field(path, "to"), i), reader));
      }
    }
    List<Condition> when = new ArrayList<>();
    List<YamlNode> whenNodes = reader.list(map.get("when"), Paths.field(path, "when"));
    if (whenNodes != null) {
      for (int i = 0; i < whenNodes.size(); i++) {
        when.add(condition(whenNodes.get(i), Paths.index(Paths.field(path, "when"), i), reader));
      }
    }
    return new Rule(from, to, when);
  }

  private static Source from(YamlNode node, String path, StrictReader reader) {
    if (YamlNode.isNull(node)) {
      reader.sink().error(path, "`from` must not be nil");
      return source(null, path, reader);
    }
    MapNode map = reader.map(node, path);
    if (map == null) {
      return source(null, path, reader);
    }
    reader.allowOnly(map, path, FROM_FIELDS);
    String sourcePath = Paths.field(path, "source");
    MapNode source = reader.map(map.get("source"), sourcePath);
    if (source == null && YamlNode.isNull(map.get("source"))) {
      reader.sink().error(sourcePath, "`from.source` must not be nil");
    }
    return source(source, sourcePath, reader);
  }

  private static Source source(MapNode map, String path, StrictReader reader) {
    reader.allowOnly(map, path, SOURCE_FIELDS);
    ListField field = new ListField(map, path, reader);
    return new Source(
        field.get("principals"),
        field.get("notPrincipals"),
        field.get("requestPrincipals"),
        field.get("notRequestPrincipals"),
        field.get("namespaces"),
        field.get("notNamespaces"),
        field.get("serviceAccounts"),
        field.get("notServiceAccounts"),
        field.get("trustDomains"),
        field.get("notTrustDomains"),
        field.get("ipBlocks"),
        field.get("notIpBlocks"),
        field.get("remoteIpBlocks"),
        field.get("notRemoteIpBlocks"));
  }

  private static Operation to(YamlNode node, String path, StrictReader reader) {
    if (YamlNode.isNull(node)) {
      reader.sink().error(path, "`to` must not be nil");
      return operation(null, path, reader);
    }
    MapNode map = reader.map(node, path);
    if (map == null) {
      return operation(null, path, reader);
    }
    reader.allowOnly(map, path, TO_FIELDS);
    String operationPath = Paths.field(path, "operation");
    MapNode operation = reader.map(map.get("operation"), operationPath);
    if (operation == null && YamlNode.isNull(map.get("operation"))) {
      reader.sink().error(operationPath, "`to.operation` must not be nil");
    }
    return operation(operation, operationPath, reader);
  }

  private static Operation operation(MapNode map, String path, StrictReader reader) {
    reader.allowOnly(map, path, OPERATION_FIELDS);
    ListField field = new ListField(map, path, reader);
    return new Operation(
        field.get("hosts"),
        field.get("notHosts"),
        field.get("ports"),
        field.get("notPorts"),
        field.get("methods"),
        field.get("notMethods"),
        field.get("paths"),
        field.get("notPaths"));
  }

  private static Condition condition(YamlNode node, String path, StrictReader reader) {
    if (YamlNode.isNull(node)) {
      reader.sink().error(path, "when field cannot be nil");
      return new Condition("", List.of(), List.of());
    }
    MapNode map = reader.map(node, path);
    if (map == null) {
      return new Condition("", List.of(), List.of());
    }
    reader.allowOnly(map, path, CONDITION_FIELDS);
    String key = reader.string(map.get("key"), Paths.field(path, "key"));
    return new Condition(
        key == null ? "" : key,
        reader.stringsOrEmpty(map.get("values"), Paths.field(path, "values")),
        reader.stringsOrEmpty(map.get("notValues"), Paths.field(path, "notValues")));
  }

  /** Reads the string-list fields of one source or operation; absent fields read as empty. */
  private record ListField(MapNode map, String path, StrictReader reader) {
    List<String> get(String name) {
      return map == null
          ? List.of()
          : reader.stringsOrEmpty(map.get(name), Paths.field(path, name));
    }
  }
}
