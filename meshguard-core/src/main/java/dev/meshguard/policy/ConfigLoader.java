package dev.meshguard.policy;

import dev.meshguard.policy.YamlDocuments.Document;
import dev.meshguard.policy.YamlDocuments.Parsed;
import dev.meshguard.policy.YamlDocuments.Problem;
import dev.meshguard.policy.YamlNode.MapNode;
import dev.meshguard.policy.YamlNode.Scalar;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Reads Istio configuration files into a {@link ConfigSet}: the four kinds meshguard uses, strictly
 * bound and validated as istiod would, plus {@link PolicyLinter}'s warnings. Problems never escape
 * as exceptions; they become findings, located by file, 0-based document index within the file
 * (empty documents count) and field path.
 *
 * <p>A path is a file (YAML, possibly several `---` documents; JSON when it ends in `.json`) or a
 * directory, whose `*.yaml`, `*.yml` and `*.json` files are read in name order, not recursively.
 * Objects with reading errors (wrong types, unknown fields) are left out of the set; objects with
 * only validation errors are kept. Either way the set {@link ConfigSet#hasErrors() has errors}. An
 * object read again under the same kind and name replaces the earlier one (with a warning), as a
 * later `kubectl apply` would.
 */
public final class ConfigLoader {
  private static final Set<String> SECURITY_VERSIONS =
      Set.of("security.istio.io/v1", "security.istio.io/v1beta1");
  private static final Set<String> NETWORKING_VERSIONS =
      Set.of(
          "networking.istio.io/v1", "networking.istio.io/v1beta1", "networking.istio.io/v1alpha3");
  private static final Map<String, Set<String>> KINDS =
      Map.of(
          "RequestAuthentication", SECURITY_VERSIONS,
          "AuthorizationPolicy", SECURITY_VERSIONS,
          "ServiceEntry", NETWORKING_VERSIONS,
          "DestinationRule", NETWORKING_VERSIONS);
  private static final Set<String> LIST_FIELDS = Set.of("apiVersion", "kind", "metadata", "items");

  private final List<RequestAuthentication> requestAuthentications = new ArrayList<>();
  private final List<AuthorizationPolicy> authorizationPolicies = new ArrayList<>();
  private final List<ServiceEntry> serviceEntries = new ArrayList<>();
  private final List<DestinationRule> destinationRules = new ArrayList<>();
  private final List<Finding> findings = new ArrayList<>();
  private final List<String> notices = new ArrayList<>();
  private final Map<String, Object> byName = new HashMap<>();
  private final Map<String, DocumentOrigin> originByName = new HashMap<>();
  // the effects of the document being read, for DocumentReads; null when not remembered
  private DocumentReads.Recording recording;

  private ConfigLoader() {}

  /** Reads every path (files and directories) in order. */
  public static ConfigSet load(List<Path> paths) {
    Objects.requireNonNull(paths, "paths");
    ConfigLoader loader = new ConfigLoader();
    for (Path path : paths) {
      ConfigFiles.read(
          Objects.requireNonNull(path, "path"), loader::fileText, loader.findings, loader.notices);
    }
    return loader.finish();
  }

  /** Reads one file's content; {@code fileName} names it in findings (`.json` selects JSON). */
  public static ConfigSet loadString(String content, String fileName) {
    Objects.requireNonNull(content, "content");
    Objects.requireNonNull(fileName, "fileName");
    ConfigLoader loader = new ConfigLoader();
    loader.content(fileName, content, fileName.toLowerCase(Locale.ROOT).endsWith(".json"));
    return loader.finish();
  }

  /**
   * Reads objects that arrive one by one rather than as files (from the Kubernetes API): each is a
   * JSON text read as one document, named in findings by {@link SourceDocument#name()}, document 0.
   * They are read, validated and linted exactly as the documents of a file.
   */
  public static ConfigSet loadDocuments(List<SourceDocument> documents) {
    Objects.requireNonNull(documents, "documents");
    ConfigLoader loader = new ConfigLoader();
    for (SourceDocument document : documents) {
      loader.content(document.name(), document.json(), true);
    }
    return loader.finish();
  }

  /**
   * Reads and validates one object that arrives on its own, without {@link PolicyLinter}'s
   * warnings, which look across objects: lint the whole set once its objects are together. Reading
   * objects one at a time lets a caller keep each result until the object changes.
   */
  public static ConfigSet readDocument(SourceDocument document) {
    Objects.requireNonNull(document, "document");
    ConfigLoader loader = new ConfigLoader();
    loader.content(document.name(), document.json(), true);
    return new ConfigSet(
        loader.requestAuthentications,
        loader.authorizationPolicies,
        loader.serviceEntries,
        loader.destinationRules,
        loader.findings,
        loader.notices);
  }

  /** True for the finding made when a path could not be read at all (missing, unreadable). */
  public static boolean isUnreadable(Finding finding) {
    return finding.isError()
        && finding.field().isEmpty()
        && finding.message().startsWith(ConfigFiles.UNREADABLE);
  }

  private ConfigSet finish() {
    ConfigSet unlinted =
        new ConfigSet(
            requestAuthentications,
            authorizationPolicies,
            serviceEntries,
            destinationRules,
            findings,
            notices);
    List<Finding> all = new ArrayList<>(findings);
    all.addAll(PolicyLinter.lint(unlinted));
    return new ConfigSet(
        requestAuthentications,
        authorizationPolicies,
        serviceEntries,
        destinationRules,
        all,
        notices);
  }

  /** The text of one configuration file, as {@link ConfigFiles} read it. */
  private void fileText(String name, String text, boolean json) {
    if (json) {
      documents(name, YamlDocuments.parse(text, true), null);
    } else {
      documents(name, DocumentCache.parse(name, text), DocumentReads.begin(name));
    }
  }

  private void content(String file, String content, boolean json) {
    String text = content.startsWith("\uFEFF") ? content.substring(1) : content;
    documents(file, YamlDocuments.parse(text, json), null);
  }

  /**
   * Reads the documents of one file; with {@code reads}, unchanged documents are replayed from the
   * last read of the file, and the others remembered for the next.
   */
  private void documents(String file, Parsed parsed, DocumentReads.FileRead reads) {
    for (Document document : parsed.documents()) {
      List<DocumentReads.Step> steps = reads == null ? null : reads.previous(document);
      if (steps != null) {
        replay(steps);
        reads.keep(document, steps);
      } else if (reads != null && document.root() != null) {
        recording = new DocumentReads.Recording(findings, notices);
        try {
          document(file, document);
          reads.keep(document, recording.steps());
        } finally {
          recording = null;
        }
      } else {
        document(file, document);
      }
    }
    if (reads != null) {
      reads.end(parsed.error() == null);
    }
    if (parsed.error() != null) {
      findings.add(
          new Finding(
              Finding.Severity.ERROR, file, parsed.error().index(), "", parsed.error().message()));
    }
  }

  private void document(String file, Document document) {
    DocumentOrigin origin = new DocumentOrigin(file, document.index());
    if (document.root() != null) {
      object(document.root(), origin, "", document.problems(), true);
    } else {
      FindingSink sink = new FindingSink(origin, "", findings);
      document.problems().forEach(problem -> sink.error(problem.path(), problem.message()));
    }
  }

  /**
   * One object, or (at the top of a document) a `kind: List` of them. {@code problems} are those
   * the YAML reader found in it (duplicate keys, bad aliases), with paths relative to it.
   */
  private void object(
      YamlNode root, DocumentOrigin origin, String prefix, List<Problem> problems, boolean top) {
    FindingSink sink = new FindingSink(origin, prefix, findings);
    if (top && root instanceof MapNode map && "List".equals(text(map.get("kind")))) {
      list(map, origin, problems, sink);
      return;
    }
    problems.forEach(problem -> sink.error(problem.path(), problem.message()));
    if (!(root instanceof MapNode map)) {
      sink.error(
          "",
          "expected a Kubernetes object (a map with apiVersion and kind), got " + root.describe());
      return;
    }
    String kind = text(map.get("kind"));
    String apiVersion = text(map.get("apiVersion"));
    if (Text.isNullOrEmpty(kind)) {
      sink.error("kind", "required: not a Kubernetes object without `kind`");
      return;
    }
    if (Text.isNullOrEmpty(apiVersion)) {
      sink.error("apiVersion", "required: not a Kubernetes object without `apiVersion`");
      return;
    }
    Set<String> versions = KINDS.get(kind);
    if (versions == null) {
      String misspelt =
          KINDS.keySet().stream().filter(k -> k.equalsIgnoreCase(kind)).findFirst().orElse(null);
      if (misspelt != null) {
        sink.error(
            "kind",
            "unknown kind " + Text.quote(kind) + " (did you mean " + Text.quote(misspelt) + "?)");
      } else {
        String where = origin + (prefix.isEmpty() ? "" : ": " + prefix);
        notices.add(
            where + ": skipped " + Text.clip(kind) + " " + MetadataReader.describeName(map));
      }
      return;
    }
    if (!versions.contains(apiVersion)) {
      sink.error(
          "apiVersion",
          "unsupported apiVersion "
              + Text.quote(apiVersion)
              + " for "
              + kind
              + ": expected one of "
              + String.join(", ", versions.stream().sorted().toList()));
      return;
    }
    read(kind, map, origin, sink);
  }

  private void list(MapNode map, DocumentOrigin origin, List<Problem> problems, FindingSink sink) {
    List<List<Problem>> itemProblems = new ArrayList<>();
    StrictReader reader = new StrictReader(sink);
    reader.allowOnly(map, "", LIST_FIELDS);
    List<YamlNode> items = reader.list(map.get("items"), "items");
    int count = items == null ? 0 : items.size();
    for (int i = 0; i < count; i++) {
      itemProblems.add(new ArrayList<>());
    }
    for (Problem problem : problems) {
      int item = itemIndex(problem.path(), count);
      if (item < 0) {
        sink.error(problem.path(), problem.message());
      } else {
        String inner = problem.path().substring(Paths.index("items", item).length());
        itemProblems
            .get(item)
            .add(
                new Problem(inner.startsWith(".") ? inner.substring(1) : inner, problem.message()));
      }
    }
    for (int i = 0; i < count; i++) {
      YamlNode item = items.get(i);
      if (YamlNode.isNull(item)) {
        sink.error(Paths.index("items", i), "expected a Kubernetes object, got null");
      } else {
        object(item, origin, Paths.index("items", i), itemProblems.get(i), false);
      }
    }
  }

  /** The item a problem path such as `items[3].spec.x` is in, or -1. */
  private static int itemIndex(String path, int count) {
    for (int i = 0; i < count; i++) {
      String item = Paths.index("items", i);
      if (path.equals(item) || path.startsWith(item + ".") || path.startsWith(item + "[")) {
        return i;
      }
    }
    return -1;
  }

  /**
   * Reads, then validates, one object of a kind we use. The object joins the set only when it was
   * read without errors; validation errors are reported but do not keep it out.
   */
  private void read(String kind, MapNode map, DocumentOrigin origin, FindingSink sink) {
    StrictReader reader = new StrictReader(sink);
    ObjectMeta metadata = MetadataReader.read(map, reader);
    MapNode spec = reader.map(map.get("spec"), "spec");
    if (spec == null) {
      spec = new MapNode(Map.of());
    }
    Object object =
        switch (kind) {
          case "AuthorizationPolicy" -> {
            AuthorizationPolicyReader.Result result =
                AuthorizationPolicyReader.read(origin, metadata, spec, reader);
            boolean readCleanly = beginValidation(sink, result.singularTargetRef());
            AuthorizationPolicyValidator.validate(result.policy(), sink);
            yield readCleanly ? result.policy() : null;
          }
          case "RequestAuthentication" -> {
            RequestAuthenticationReader.Result result =
                RequestAuthenticationReader.read(origin, metadata, spec, reader);
            boolean readCleanly = beginValidation(sink, result.singularTargetRef());
            RequestAuthenticationValidator.validate(result.authentication(), sink);
            yield readCleanly ? result.authentication() : null;
          }
          case "ServiceEntry" -> {
            ServiceEntry entry = ServiceEntryReader.read(origin, metadata, spec, reader);
            boolean readCleanly = beginValidation(sink, false);
            NetworkingValidator.validate(entry, sink);
            yield readCleanly ? entry : null;
          }
          case "DestinationRule" -> {
            DestinationRule rule = DestinationRuleReader.read(origin, metadata, spec, reader);
            boolean readCleanly = beginValidation(sink, false);
            NetworkingValidator.validate(rule, sink);
            yield readCleanly ? rule : null;
          }
          default -> throw new IllegalStateException("kind " + kind);
        };
    if (object != null) {
      if (recording != null) {
        recording.added(kind, object, metadata, origin, sink.prefix());
      }
      addRead(kind, object, metadata, origin, sink);
    }
  }

  /** Adds an object read without errors to the list of its kind. */
  private void addRead(
      String kind, Object object, ObjectMeta metadata, DocumentOrigin origin, FindingSink sink) {
    switch (kind) {
      case "AuthorizationPolicy" ->
          add(authorizationPolicies, (AuthorizationPolicy) object, kind, metadata, origin, sink);
      case "RequestAuthentication" ->
          add(requestAuthentications, (RequestAuthentication) object, kind, metadata, origin, sink);
      case "ServiceEntry" ->
          add(serviceEntries, (ServiceEntry) object, kind, metadata, origin, sink);
      case "DestinationRule" ->
          add(destinationRules, (DestinationRule) object, kind, metadata, origin, sink);
      default -> throw new IllegalStateException("kind " + kind);
    }
  }

  /** Switches {@code sink} to validation; true when reading made no errors. */
  private static boolean beginValidation(FindingSink sink, boolean singularTargetRef) {
    boolean readCleanly = sink.errorCount() == 0;
    if (singularTargetRef) {
      sink.rename("spec.targetRefs[0]", "spec.targetRef");
    }
    sink.beginValidation();
    return readCleanly;
  }

  /**
   * Adds {@code object} to {@code list}. An object of the same kind and name read earlier is
   * replaced, as a later `kubectl apply` replaces an earlier one.
   */
  private <T> void add(
      List<T> list,
      T object,
      String kind,
      ObjectMeta metadata,
      DocumentOrigin origin,
      FindingSink sink) {
    String key = kind + "/" + metadata.qualifiedName();
    Object earlier = byName.put(key, object);
    DocumentOrigin earlierOrigin = originByName.put(key, origin);
    if (earlier != null) {
      list.remove(earlier);
      sink.warning(
          "metadata.name",
          kind
              + " "
              + Text.quote(metadata.qualifiedName())
              + " replaces the one read at "
              + earlierOrigin
              + ", as a later `kubectl apply` would");
    }
    list.add(object);
    if (recording != null) {
      // a replacement warning depends on the documents read before: made again on every read
      recording.skipEmitted();
    }
  }

  /** Does again what reading an unchanged document did. */
  private void replay(List<DocumentReads.Step> steps) {
    for (DocumentReads.Step step : steps) {
      if (step instanceof DocumentReads.Emitted e) {
        findings.addAll(e.findings());
        notices.addAll(e.notices());
      } else if (step instanceof DocumentReads.Added a) {
        addRead(
            a.kind(),
            a.object(),
            a.metadata(),
            a.origin(),
            new FindingSink(a.origin(), a.prefix(), findings));
      }
    }
  }

  private static String text(YamlNode node) {
    return node instanceof Scalar scalar && !scalar.isNull() ? scalar.text() : null;
  }
}
