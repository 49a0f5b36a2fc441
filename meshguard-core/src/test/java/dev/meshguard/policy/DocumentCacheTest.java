package dev.meshguard.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshguard.policy.YamlDocuments.Parsed;
import dev.meshguard.policy.YamlNode.ListNode;
import dev.meshguard.policy.YamlNode.MapNode;
import dev.meshguard.policy.YamlNode.Scalar;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reading a file piece by piece (one document at a time, unchanged ones from the last read) gives
 * exactly what reading it whole gives: the same documents, trees, problems and syntax errors.
 */
class DocumentCacheTest {
  private static final List<String> EDGE_CASES =
      List.of(
          "",
          "\n",
          "# only a comment\n",
          "a: 1\n---\nb: 2\n",
          "---\na: 1\n---\n---\nb: 2\n",
          "---\n---\n",
          "# head\n---\na: 1\n",
          "--- {a: 1}\n--- [1, 2]\n--- text\n",
          "a: 1\r\n---\r\nb: 2\r\n",
          "a: &x {k: v}\nb: *x\n---\nc: *x\n",
          "a: 1\na: 2\n---\nb: [1, 2]\nb: 3\n",
          "a: |\n  ---\n  text\n---\nb: 1\n",
          "a: 1\n---\nb: [1, 2\n---\nc: 3\n",
          "a: 1\n---\n  : bad\n",
          "%YAML 1.1\n---\na: 1\n",
          "a: 1\n...\n---\nb: 2\n",
          "----\na: 1\n---x\n",
          "---\t\na: 1\n--- # comment\nb: 2\n",
          "a: 'x\n---\ny'\n");

  @BeforeEach
  void clear() {
    DocumentCache.clear();
  }

  private static void assertSameAsWhole(String content) {
    Parsed whole = YamlDocuments.parse(content, false);
    Parsed first = DocumentCache.parse("file.yaml", content);
    Parsed again = DocumentCache.parse("file.yaml", content);
    assertThat(first).as("piecewise:\n%s", content).isEqualTo(whole);
    assertThat(again).as("from the cache:\n%s", content).isEqualTo(whole);
  }

  @Test
  void edgeCasesReadAsTheWholeFile() {
    EDGE_CASES.forEach(DocumentCacheTest::assertSameAsWhole);
  }

  @Test
  void everyYamlTextOfTheTestResourcesReadsAsTheWholeFile() throws Exception {
    List<String> texts = resourceTexts();
    assertThat(texts).hasSizeGreaterThan(300);
    texts.forEach(DocumentCacheTest::assertSameAsWhole);
  }

  @Test
  void aChangedDocumentIsReadAgainAndTheOthersAreNot() {
    String before = "a: 1\n---\nb: 2\n---\nc: 3\n";
    String after = "a: 1\n---\nb: 20\n---\nc: 3\n";
    DocumentCache.parse("f.yaml", before);
    Parsed changed = DocumentCache.parse("f.yaml", after);
    assertThat(changed).isEqualTo(YamlDocuments.parse(after, false));
    List<String> pieces = DocumentCache.split(after);
    assertThat(pieces).containsExactly("a: 1\n", "---\nb: 20\n", "---\nc: 3\n");
    assertThat(String.join("", pieces)).isEqualTo(after);
    assertThat(DocumentCache.split("%YAML 1.1\n---\na: 1\n")).isNull();
  }

  /** The test resources, and every multi-line string inside them (the corpus configs). */
  static List<String> resourceTexts() throws IOException, URISyntaxException {
    Path root = Path.of(DocumentCacheTest.class.getResource("/conformance").toURI()).getParent();
    List<String> texts = new ArrayList<>();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).toList()) {
        String content = Files.readString(file, StandardCharsets.UTF_8);
        texts.add(content);
        for (YamlDocuments.Document d : YamlDocuments.parse(content, false).documents()) {
          collect(d.root(), texts);
        }
      }
    }
    return texts;
  }

  private static void collect(YamlNode node, List<String> out) {
    if (node instanceof Scalar scalar && scalar.text() != null && scalar.text().contains("\n")) {
      out.add(scalar.text());
    } else if (node instanceof MapNode map) {
      map.fields().values().forEach(v -> collect(v, out));
    } else if (node instanceof ListNode list) {
      list.items().forEach(v -> collect(v, out));
    }
  }

  @Test
  void filesGoneFromTheDirectoryOrUnreadableAreForgotten(@TempDir Path dir) throws Exception {
    String policy =
        "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata:\n  name: %s\n"
            + "spec:\n  action: DENY\n  rules:\n  - to:\n    - operation:\n        paths: [/x]\n";
    Path kept = dir.resolve("kept.yaml");
    Path rotated = dir.resolve("rotated-1.yaml");
    Path single = dir.resolve("single.yaml");
    Files.writeString(kept, String.format(policy, "kept") + "---\n" + String.format(policy, "k2"));
    Files.writeString(rotated, String.format(policy, "r1") + "---\n" + String.format(policy, "r2"));
    Files.writeString(single, String.format(policy, "s1") + "---\n" + String.format(policy, "s2"));
    ConfigLoader.load(List.of(dir));
    ConfigLoader.load(List.of(single));
    assertThat(DocumentCache.remembers(kept.toString())).isTrue();
    assertThat(DocumentReads.remembers(rotated.toString())).isTrue();

    Files.delete(rotated);
    Files.writeString(
        dir.resolve("rotated-2.yaml"),
        String.format(policy, "r3") + "---\n" + String.format(policy, "r4"));
    ConfigSet reloaded = ConfigLoader.load(List.of(dir));
    assertThat(reloaded.authorizationPolicies()).hasSize(6); // kept, k2, r3, r4, s1, s2
    assertThat(DocumentCache.remembers(rotated.toString())).isFalse();
    assertThat(DocumentReads.remembers(rotated.toString())).isFalse();
    assertThat(DocumentCache.remembers(kept.toString())).isTrue();
    assertThat(DocumentCache.remembers(dir.resolve("rotated-2.yaml").toString())).isTrue();

    Files.delete(single);
    Files.delete(dir.resolve("rotated-2.yaml"));
    Files.delete(kept);
    ConfigLoader.load(List.of(single));
    assertThat(DocumentCache.remembers(single.toString())).isFalse();
    assertThat(DocumentReads.remembers(single.toString())).isFalse();
  }
}
