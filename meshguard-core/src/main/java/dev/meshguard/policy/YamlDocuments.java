package dev.meshguard.policy;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import dev.meshguard.policy.YamlNode.Kind;
import dev.meshguard.policy.YamlNode.ListNode;
import dev.meshguard.policy.YamlNode.MapNode;
import dev.meshguard.policy.YamlNode.Scalar;
import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Splits a file into documents (`---`) and reads each into a {@link YamlNode} tree, the way
 * kubectl's YAML reader would: aliases and merge keys are resolved, duplicate keys are reported,
 * and a plain empty value is null. Reading stops at the first syntax error; the documents before it
 * are kept.
 */
final class YamlDocuments {
  /** Deeper than any Istio object; keeps hostile input from exhausting the stack. */
  static final int MAX_DEPTH = 64;

  /** SnakeYAML's own default for collection aliases: enough for real files, not for bombs. */
  static final int MAX_COLLECTION_ALIASES = 50;

  private static final int MAX_CODE_POINTS = 64 * 1024 * 1024;

  private static final YAMLFactory YAML = yamlFactory();
  private static final JsonFactory JSON = jsonFactory();

  private YamlDocuments() {}

  /** One document: its 0-based position in the file, its tree (null when empty), its problems. */
  record Document(int index, YamlNode root, List<Problem> problems) {
    Document {
      problems = List.copyOf(problems);
    }
  }

  /** Something wrong inside a document that did not stop reading (e.g. a duplicate key). */
  record Problem(String path, String message) {}

  /** A syntax error: the document it happened in, and a one-line message with line and column. */
  record SyntaxError(int index, String message) {}

  /** The documents read, and the error that stopped reading, if any (null otherwise). */
  record Parsed(List<Document> documents, SyntaxError error) {
    Parsed {
      documents = List.copyOf(documents);
    }
  }

  static Parsed parse(String content, boolean json) {
    List<Document> documents = new ArrayList<>();
    try (JsonParser parser = json ? JSON.createParser(content) : YAML.createParser(content)) {
      JsonToken token;
      while ((token = parser.nextToken()) != null) {
        TreeBuilder builder = new TreeBuilder(parser);
        YamlNode root = builder.build(token, 0);
        documents.add(
            new Document(documents.size(), YamlNode.isNull(root) ? null : root, builder.problems));
      }
      return new Parsed(documents, null);
    } catch (IOException | RuntimeException e) {
      // SnakeYAML and Jackson report malformed input in many ways; all of them are a syntax error
      // in the document being read, never an exception out of the loader.
      return new Parsed(documents, new SyntaxError(documents.size(), describe(e)));
    }
  }

  private static String describe(Exception e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof MarkedYAMLException marked && marked.getProblemMark() != null) {
        String problem = marked.getProblem() == null ? "invalid yaml" : marked.getProblem();
        String context = marked.getContext() == null ? "" : " (" + marked.getContext() + ")";
        return "invalid yaml at line "
            + (marked.getProblemMark().getLine() + 1)
            + ", column "
            + (marked.getProblemMark().getColumn() + 1)
            + ": "
            + Text.clip(problem + context);
      }
      if (t instanceof TooComplex complex) {
        return complex.getMessage();
      }
    }
    String where = "";
    String message = e.getMessage();
    if (e instanceof JsonProcessingException processing) {
      message = processing.getOriginalMessage();
      JsonLocation location = processing.getLocation();
      if (location != null && location.getLineNr() > 0) {
        where = " at line " + location.getLineNr() + ", column " + location.getColumnNr();
      }
    }
    String firstLine =
        message == null ? e.getClass().getSimpleName() : message.lines().findFirst().orElse("");
    return "invalid yaml" + where + ": " + Text.clip(firstLine);
  }

  private static YAMLFactory yamlFactory() {
    LoaderOptions options = new LoaderOptions();
    options.setCodePointLimit(MAX_CODE_POINTS);
    options.setMaxAliasesForCollections(MAX_COLLECTION_ALIASES);
    options.setAllowDuplicateKeys(true); // reported by the tree builder, with the field path
    YAMLFactory factory =
        YAMLFactory.builder()
            .loaderOptions(options)
            .enable(YAMLParser.Feature.EMPTY_STRING_AS_NULL)
            .build();
    factory.setStreamReadConstraints(constraints());
    return factory;
  }

  private static JsonFactory jsonFactory() {
    return JsonFactory.builder().streamReadConstraints(constraints()).build();
  }

  private static StreamReadConstraints constraints() {
    return StreamReadConstraints.builder()
        .maxNestingDepth(MAX_DEPTH * 2)
        .maxStringLength(MAX_CODE_POINTS)
        .build();
  }

  /** Input that is well-formed but too deep or too aliased to read safely. */
  private static final class TooComplex extends RuntimeException {
    private static final long serialVersionUID = 1L;

    TooComplex(String message) {
      super(message, null, false, false);
    }
  }

  /** Builds one document's tree from parser events. */
  private static final class TreeBuilder {
    private final JsonParser parser;
    private final YAMLParser yaml;
    private final Map<String, YamlNode> anchors = new HashMap<>();
    private final List<Problem> problems = new ArrayList<>();
    // Where the builder is: field names and list indexes, written out only for a problem (most
    // documents have none, and every node would otherwise build its path string).
    private final List<Object> at = new ArrayList<>();
    private int collectionAliases;

    TreeBuilder(JsonParser parser) {
      this.parser = parser;
      this.yaml = parser instanceof YAMLParser y ? y : null;
    }

    /** The path of the node being built, e.g. `spec.rules[0].to`. */
    private String path() {
      String path = "";
      for (Object segment : at) {
        path =
            segment instanceof Integer index
                ? Paths.index(path, index)
                : Paths.field(path, (String) segment);
      }
      return path;
    }

    YamlNode build(JsonToken token, int depth) throws IOException {
      if (depth > MAX_DEPTH) {
        throw new TooComplex("invalid yaml: nesting deeper than " + MAX_DEPTH + " levels");
      }
      String anchor = yaml == null ? null : yaml.getCurrentAnchor();
      if (token == JsonToken.VALUE_STRING && yaml != null && yaml.isCurrentAlias()) {
        return alias(parser.getText());
      }
      YamlNode node =
          switch (token) {
            case START_OBJECT -> buildMap(depth);
            case START_ARRAY -> buildList(depth);
            case VALUE_STRING -> Scalar.string(parser.getText());
            case VALUE_NUMBER_INT -> new Scalar(Kind.INTEGER, parser.getText(), integerValue());
            case VALUE_NUMBER_FLOAT -> new Scalar(Kind.FLOAT, parser.getText(), null);
            case VALUE_TRUE -> new Scalar(Kind.BOOLEAN, parser.getText(), "true");
            case VALUE_FALSE -> new Scalar(Kind.BOOLEAN, parser.getText(), "false");
            case VALUE_NULL -> Scalar.NULL;
            // `!!binary`: kubectl would decode it; keep the text, never a valid Istio value.
            case VALUE_EMBEDDED_OBJECT -> Scalar.string(parser.getText());
            default -> throw new TooComplex("invalid yaml: unexpected " + token);
          };
      if (anchor != null) {
        anchors.put(anchor, node);
      }
      return node;
    }

    private String integerValue() {
      try {
        BigInteger value = parser.getBigIntegerValue();
        return value.toString();
      } catch (IOException | RuntimeException e) {
        return null;
      }
    }

    private YamlNode alias(String name) {
      YamlNode target = anchors.get(name);
      if (target == null) {
        // kubectl's YAML reader refuses the whole file too.
        throw new TooComplex(
            "invalid yaml: unknown alias " + Text.quote("*" + name) + " at " + path());
      }
      if (!(target instanceof Scalar) && ++collectionAliases > MAX_COLLECTION_ALIASES) {
        throw new TooComplex(
            "invalid yaml: more than " + MAX_COLLECTION_ALIASES + " aliases to maps or lists");
      }
      return target;
    }

    private YamlNode buildMap(int depth) throws IOException {
      Map<String, YamlNode> fields = new LinkedHashMap<>();
      List<YamlNode> merges = null;
      JsonToken token;
      while ((token = parser.nextToken()) != JsonToken.END_OBJECT) {
        if (token != JsonToken.FIELD_NAME) {
          throw new TooComplex("invalid yaml: expected a key, got " + token);
        }
        String key = parser.currentName();
        at.add(key);
        YamlNode value = build(parser.nextToken(), depth + 1);
        if (yaml != null && key.equals("<<")) {
          if (merges == null) {
            merges = new ArrayList<>();
          }
          merges.add(value);
        } else if (fields.containsKey(key)) {
          problems.add(new Problem(path(), "duplicate key " + Text.quote(key)));
        } else {
          fields.put(key, value);
        }
        at.remove(at.size() - 1);
      }
      if (merges != null) {
        String mergePath = Paths.key(path(), "<<");
        for (YamlNode merge : merges) {
          merge(fields, merge, mergePath);
        }
      }
      return new MapNode(fields);
    }

    /** YAML 1.1 merge keys (`<<: *base`): explicit keys win, earlier merged maps win. */
    private void merge(Map<String, YamlNode> fields, YamlNode merge, String path) {
      if (merge instanceof MapNode map) {
        map.fields().forEach(fields::putIfAbsent);
      } else if (merge instanceof ListNode list
          && list.items().stream().allMatch(MapNode.class::isInstance)) {
        list.items().forEach(item -> ((MapNode) item).fields().forEach(fields::putIfAbsent));
      } else {
        problems.add(new Problem(path, "merge key expects a map or a list of maps"));
      }
    }

    private YamlNode buildList(int depth) throws IOException {
      List<YamlNode> items = new ArrayList<>();
      JsonToken token;
      while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
        at.add(items.size());
        items.add(build(token, depth + 1));
        at.remove(at.size() - 1);
      }
      return new ListNode(items);
    }
  }
}
