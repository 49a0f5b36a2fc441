package dev.meshguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshguard.cli.validate.FindingCode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** docs/finding-codes.md lists exactly the codes validate can print, with the same meanings. */
class FindingCodesDocTest {
  @Test
  void theDocumentedTableMatchesTheCodes() throws Exception {
    String doc = Files.readString(Path.of("../docs/finding-codes.md"));
    Matcher rows =
        Pattern.compile("^\\| (MG\\d{4}) \\| [^|]+ \\| (.+) \\|$", Pattern.MULTILINE).matcher(doc);
    java.util.Map<String, String> documented = new java.util.LinkedHashMap<>();
    while (rows.find()) {
      documented.put(rows.group(1), rows.group(2));
    }
    assertThat(documented.keySet())
        .containsExactlyElementsOf(Arrays.stream(FindingCode.values()).map(Enum::name).toList());
    for (FindingCode code : FindingCode.values()) {
      assertThat(documented.get(code.name())).as(code.name()).isEqualTo(code.title());
    }
  }
}
