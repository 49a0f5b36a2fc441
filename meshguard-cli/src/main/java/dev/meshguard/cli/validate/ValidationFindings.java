package dev.meshguard.cli.validate;

import dev.meshguard.policy.Finding;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Turns the loader's findings and notices into located, coded {@link ValidationFinding}s. */
public final class ValidationFindings {
  /** `FILE:DOC: skipped KIND name` or `FILE:DOC: items[N]: skipped ...` (ConfigLoader's notice). */
  private static final Pattern SKIPPED =
      Pattern.compile("^(.*):(\\d+)(?:: (items\\[\\d+\\]))?: (skipped .*)$");

  private static final Pattern NO_FILES = Pattern.compile("^(.*): (no \\*\\.yaml.*)$");

  private final Map<String, YamlLines> lines = new HashMap<>();

  public List<ValidationFinding> of(List<Finding> findings, List<String> notices) {
    List<ValidationFinding> out = new ArrayList<>();
    for (Finding f : findings) {
      out.add(
          new ValidationFinding(
              f.file(),
              f.document(),
              lines(f.file()).line(f.document(), f.field(), f.message()),
              f.field(),
              f.isError() ? Severity.ERROR : Severity.WARNING,
              FindingCodes.of(f),
              f.message()));
    }
    for (String notice : notices) {
      out.add(notice(notice));
    }
    return out;
  }

  private ValidationFinding notice(String notice) {
    Matcher skipped = SKIPPED.matcher(notice);
    if (skipped.matches()) {
      String file = skipped.group(1);
      int document = Integer.parseInt(skipped.group(2));
      String field = skipped.group(3) == null ? "" : skipped.group(3);
      return new ValidationFinding(
          file,
          document,
          lines(file).line(document, field, ""),
          field,
          Severity.INFO,
          FindingCode.MG9001,
          skipped.group(4));
    }
    Matcher noFiles = NO_FILES.matcher(notice);
    if (noFiles.matches()) {
      return new ValidationFinding(
          noFiles.group(1), 0, 0, "", Severity.INFO, FindingCode.MG9002, noFiles.group(2));
    }
    return new ValidationFinding("", 0, 0, "", Severity.INFO, FindingCode.MG9000, notice);
  }

  private YamlLines lines(String file) {
    return lines.computeIfAbsent(
        file,
        f -> {
          try {
            Path p = Path.of(f);
            return Files.isRegularFile(p)
                ? YamlLines.of(Files.readString(p, StandardCharsets.UTF_8))
                : YamlLines.none();
          } catch (IOException | RuntimeException e) {
            return YamlLines.none();
          }
        });
  }
}
