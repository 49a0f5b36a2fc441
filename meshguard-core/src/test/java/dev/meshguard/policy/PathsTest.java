package dev.meshguard.policy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PathsTest {
  @Test
  void identifiersAreFieldsAndEverythingElseAKey() {
    assertThat(Paths.field("", "spec")).isEqualTo("spec");
    assertThat(Paths.field("spec", "rules_2")).isEqualTo("spec.rules_2");
    assertThat(Paths.field("spec", "_x")).isEqualTo("spec._x");
    assertThat(Paths.field("metadata.labels", "app.kubernetes.io/name"))
        .isEqualTo("metadata.labels[app.kubernetes.io/name]");
    assertThat(Paths.field("a", "2b")).isEqualTo("a[2b]");
    assertThat(Paths.field("a", "")).isEqualTo("a[]");
    assertThat(Paths.field("a", "é")).isEqualTo("a[é]");
    assertThat(Paths.index("spec.rules", 3)).isEqualTo("spec.rules[3]");
  }
}
