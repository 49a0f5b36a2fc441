package dev.meshguard.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.io.UncheckedIOException;

/** `-o text|json|yaml`: how a command prints its result. */
enum OutputFormat {
  TEXT,
  JSON,
  YAML;

  private static final ObjectMapper JSON_MAPPER =
      new ObjectMapper().disable(SerializationFeature.INDENT_OUTPUT);
  private static final ObjectMapper YAML_MAPPER =
      new ObjectMapper(
          YAMLFactory.builder()
              .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
              .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
              .build());

  /** `-o` when given, else JSON when the older `--json` flag is set, else text. */
  static OutputFormat orJson(OutputFormat output, boolean json) {
    if (output != null) {
      return output;
    }
    return json ? JSON : TEXT;
  }

  /** A value as one line of JSON, or as a YAML document (no trailing newline); not for TEXT. */
  String write(Object value) {
    try {
      return switch (this) {
        case JSON -> JSON_MAPPER.writeValueAsString(value);
        case YAML -> YAML_MAPPER.writeValueAsString(value).stripTrailing();
        case TEXT -> throw new IllegalStateException("text is printed by each command");
      };
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
