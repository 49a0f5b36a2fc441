package dev.meshguard.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reading files again, with unchanged documents replayed from the last read, gives exactly what a
 * first read gives: the same objects, findings and notices, in the same order.
 */
class DocumentReadsTest {
  @TempDir Path dir;

  @BeforeEach
  void clear() {
    DocumentCache.clear();
    DocumentReads.clear();
  }

  private ConfigSet fresh(List<Path> files) {
    DocumentCache.clear();
    DocumentReads.clear();
    return ConfigLoader.load(files);
  }

  private Path write(String name, String content) throws Exception {
    Path file = dir.resolve(name);
    Files.writeString(file, content, StandardCharsets.UTF_8);
    return file;
  }

  @Test
  void everyYamlTextOfTheTestResourcesReadsAgainAsAtFirst() throws Exception {
    List<String> texts = DocumentCacheTest.resourceTexts();
    assertThat(texts).hasSizeGreaterThan(300);
    int replayedObjects = 0;
    for (String text : texts) {
      Path file = write("config.yaml", text);
      ConfigSet first = fresh(List.of(file));
      ConfigSet again = ConfigLoader.load(List.of(file));
      assertThat(again).as("read again:\n%s", text).isEqualTo(first);
      replayedObjects += again.authorizationPolicies().size();
    }
    assertThat(replayedObjects).isGreaterThan(100);
  }

  @Test
  void aChangedDocumentIsReadAndTheReplacementsAcrossDocumentsAreMadeAgain() throws Exception {
    Path a = write("a.yaml", policy("p1", "/one") + "---\n" + policy("p2", "/two"));
    Path b = write("b.yaml", policy("p1", "/again") + "---\nkind: Unknown\napiVersion: x/v1\n");
    ConfigLoader.load(List.of(a, b));
    // p1 in a.yaml changes; b.yaml's p1 still replaces it, with the warning made on this read
    write("a.yaml", policy("p1", "/uno") + "---\n" + policy("p2", "/two"));
    ConfigSet again = ConfigLoader.load(List.of(a, b));
    assertThat(again).isEqualTo(fresh(List.of(a, b)));
    assertThat(again.findings())
        .anySatisfy(f -> assertThat(f.message()).contains("replaces the one read at"));
    assertThat(again.notices()).anySatisfy(n -> assertThat(n).contains("skipped Unknown"));
    // the same tree at another index is another document: its findings name the new index
    write("a.yaml", policy("p0", "/zero") + "---\n" + policy("p1", "/uno") + "---\nspec: 1\n");
    ConfigSet shifted = ConfigLoader.load(List.of(a, b));
    assertThat(shifted).isEqualTo(fresh(List.of(a, b)));
  }

  @Test
  void aFileWithASyntaxErrorIsReadWholeEveryTime() throws Exception {
    Path a = write("a.yaml", policy("p1", "/one") + "---\nmetadata: [unclosed\n");
    ConfigSet first = ConfigLoader.load(List.of(a));
    assertThat(ConfigLoader.load(List.of(a))).isEqualTo(first).isEqualTo(fresh(List.of(a)));
    assertThat(first.hasErrors()).isTrue();
  }

  private static String policy(String name, String path) {
    return """
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: %s, namespace: foo}
        spec:
          action: ALLOW
          rules:
          - to: [{operation: {paths: ["%s"], methods: [GETT]}}]
        """
        .formatted(name, path);
  }
}
