package dev.meshguard.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The annotation value is parsed like Go's `strconv.ParseBool`, nothing more. */
class DryRunAnnotationTest {
  @ParameterizedTest
  @ValueSource(strings = {"1", "t", "T", "TRUE", "true", "True"})
  void trueSpellings(String value) {
    assertThat(DryRunAnnotation.parseBool(value)).contains(true);
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "f", "F", "FALSE", "false", "False"})
  void falseSpellings(String value) {
    assertThat(DryRunAnnotation.parseBool(value)).contains(false);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "yes", "no", "on", "tRUE", " true", "true ", "2", "y"})
  void everythingElseIsInvalid(String value) {
    assertThat(DryRunAnnotation.parseBool(value)).isEqualTo(Optional.empty());
  }
}
