package dev.meshguard.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The corpus itself: it reads strictly and covers every statement it promises to. */
class CorpusCoverageTest {
  private static final Pattern STATEMENT_ID = Pattern.compile("[0-9]+A?\\.[0-9]+");

  @Test
  void everyListedStatementHasACase() throws IOException {
    Set<String> required = requiredStatements();
    Set<String> covered = new TreeSet<>();
    for (CorpusCase c : Corpus.load()) {
      covered.addAll(c.spec());
    }
    Set<String> missing = new LinkedHashSet<>(required);
    missing.removeAll(covered);
    assertThat(missing).as("statements without a case").isEmpty();
  }

  @Test
  void everyCaseNamesRealStatements() {
    List<String> bad = new ArrayList<>();
    for (CorpusCase c : Corpus.load()) {
      for (String id : c.spec()) {
        if (!STATEMENT_ID.matcher(id).matches()) {
          bad.add(c.displayName() + ": `" + id + "`");
        }
      }
    }
    assertThat(bad).isEmpty();
  }

  @Test
  void pendingFixesNameCorpusTests() {
    Set<String> names = new TreeSet<>();
    for (CorpusCase c : Corpus.load()) {
      if (!c.configErrors().isEmpty()) {
        names.add(c.displayName() + " :: config");
      }
      c.requests().forEach(r -> names.add(c.displayName() + " :: " + r.name()));
    }
    assertThat(names).containsAll(PendingEngineFixes.all().keySet());
  }

  @Test
  void unknownKeysAreRefused() {
    String text =
        """
        cases:
        - name: c
          spec: [1.1]
          workload: {namespace: foo}
          config: ""
          requests:
          - name: r
            path: /
            expect: {status: 200, staus: 403}
        """;
    assertThatThrownBy(() -> CorpusReader.read("t.yaml", text))
        .hasMessageContaining("unknown key `staus`")
        .hasMessageContaining("cases[0].requests[0].expect");
  }

  @Test
  void statementIdsKeepTheirDigits() {
    String text =
        """
        cases:
        - name: c
          spec: [8.20, 2A.7, 5.10]
          workload: {namespace: foo}
          config: ""
          requests:
          - {name: r, path: /, expect: {status: 200}}
        """;
    assertThat(CorpusReader.read("t.yaml", text).get(0).spec())
        .containsExactly("8.20", "2A.7", "5.10");
  }

  @Test
  void headersMustBeQuotedLines() {
    String text =
        """
        cases:
        - name: c
          spec: [1.1]
          workload: {namespace: foo}
          config: ""
          requests:
          - name: r
            path: /
            headers:
            - x-a: b
            expect: {status: 200}
        """;
    assertThatThrownBy(() -> CorpusReader.read("t.yaml", text)).hasMessageContaining("headers[0]");
  }

  private static Set<String> requiredStatements() throws IOException {
    Set<String> out = new LinkedHashSet<>();
    try (InputStream in =
        CorpusCoverageTest.class.getResourceAsStream("/" + Corpus.FOLDER + "/statements.txt")) {
      assertThat(in).as("statements.txt").isNotNull();
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        String s = line.strip();
        if (!s.isEmpty() && !s.startsWith("#")) {
          out.add(s);
        }
      }
    }
    return out;
  }
}
