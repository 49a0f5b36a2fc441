package dev.meshguard.cli.validate;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class YamlLinesTest {
  private static final String TEXT =
      """
      apiVersion: security.istio.io/v1
      kind: RequestAuthentication
      metadata:
        name: a
        labels:
          app.kubernetes.io/name: x
      spec:
        targetRef:
          kind: Service
          name: ""
        jwtRules:
        - issuer: i
          jwks_uri: http://x
        -   issuer: j
      """;

  @Test
  void fieldsResolveToTheLineOfTheirKeyOrItem() {
    YamlLines lines = YamlLines.of(TEXT);
    assertThat(lines.line(0, "", "m")).isEqualTo(1);
    assertThat(lines.line(0, "metadata.name", "m")).isEqualTo(4);
    assertThat(lines.line(0, "metadata.labels[app.kubernetes.io/name]", "m")).isEqualTo(6);
    assertThat(lines.line(0, "spec.jwtRules[1]", "m")).isEqualTo(14);
    assertThat(lines.line(0, "spec.jwtRules[1].issuer", "m")).isEqualTo(14);
    // Istio's reader takes jwks_uri for jwksUri; findings name the camel-case field
    assertThat(lines.line(0, "spec.jwtRules[0].jwksUri", "m")).isEqualTo(13);
    // the singular targetRef is reported as targetRefs[0]
    assertThat(lines.line(0, "spec.targetRefs[0].name", "m")).isEqualTo(10);
    // a field that does not exist: the deepest part that does
    assertThat(lines.line(0, "spec.jwtRules[0].audiences[0]", "m")).isEqualTo(12);
    assertThat(lines.line(0, "spec.jwtRules[7]", "m")).isEqualTo(11);
    assertThat(lines.line(1, "spec", "m")).isZero();
  }

  @Test
  void aSyntaxErrorKeepsItsOwnLine() {
    YamlLines lines = YamlLines.of("a: [\n");
    assertThat(lines.line(0, "", "invalid yaml at line 2, column 1: expected")).isEqualTo(2);
  }

  @Test
  void pathsSplitOnDotsAndBrackets() {
    assertThat(YamlLines.segments("spec.rules[0].to[0].operation.paths[1]"))
        .containsExactly("spec", "rules", "0", "to", "0", "operation", "paths", "1");
    assertThat(YamlLines.segments("metadata.annotations[istio.io/dry-run]"))
        .containsExactly("metadata", "annotations", "istio.io/dry-run");
    assertThat(YamlLines.segments("")).isEmpty();
  }
}
