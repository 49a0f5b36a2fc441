package dev.meshguard.policy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Finds and reads the configuration files of a path for {@link ConfigLoader}: a file, or a
 * directory's `*.yaml`, `*.yml` and `*.json` files in name order (not recursively), each strictly
 * UTF-8 and at most {@link #MAX_FILE_BYTES}. What cannot be read becomes an error finding naming
 * the path; a file that is gone is forgotten by the caches of earlier reads.
 */
final class ConfigFiles {
  /** Larger than any sane configuration file; protects the heap from a wrong path. */
  static final long MAX_FILE_BYTES = 64L * 1024 * 1024;

  static final String UNREADABLE = "cannot read: ";

  /** Receives each file's text, without a byte order mark. */
  interface Reader {
    void file(String name, String text, boolean json);
  }

  private final Reader reader;
  private final List<Finding> findings;
  private final List<String> notices;

  private ConfigFiles(Reader reader, List<Finding> findings, List<String> notices) {
    this.reader = reader;
    this.findings = findings;
    this.notices = notices;
  }

  static void read(Path path, Reader reader, List<Finding> findings, List<String> notices) {
    new ConfigFiles(reader, findings, notices).path(path);
  }

  private void path(Path path) {
    if (Files.isDirectory(path)) {
      directory(path);
    } else {
      file(path);
    }
  }

  private void directory(Path directory) {
    List<Path> files;
    try (Stream<Path> entries = Files.list(directory)) {
      files =
          entries
              .filter(p -> isConfigFile(p.getFileName().toString()))
              .filter(Files::isRegularFile)
              .sorted((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString()))
              .toList();
    } catch (IOException | RuntimeException e) {
      unreadable(directory.toString(), e);
      return;
    }
    if (files.isEmpty()) {
      notices.add(directory + ": no *.yaml, *.yml or *.json files");
    }
    Set<String> present = new HashSet<>();
    files.forEach(f -> present.add(f.toString()));
    DocumentCache.forgetMissing(directory, present);
    DocumentReads.forgetMissing(directory, present);
    files.forEach(this::file);
  }

  private static boolean isConfigFile(String name) {
    return name.endsWith(".yaml") || name.endsWith(".yml") || name.endsWith(".json");
  }

  private void file(Path file) {
    String name = file.toString();
    String content;
    try {
      if (Files.size(file) > MAX_FILE_BYTES) {
        findings.add(
            new Finding(
                Finding.Severity.ERROR,
                name,
                0,
                "",
                UNREADABLE + "larger than " + MAX_FILE_BYTES + " bytes"));
        return;
      }
      content = decode(Files.readAllBytes(file));
    } catch (CharacterCodingException e) {
      findings.add(new Finding(Finding.Severity.ERROR, name, 0, "", "not valid UTF-8"));
      return;
    } catch (IOException | RuntimeException e) {
      DocumentCache.forget(name);
      DocumentReads.forget(name);
      unreadable(name, e);
      return;
    }
    boolean json = name.toLowerCase(Locale.ROOT).endsWith(".json");
    reader.file(name, content.startsWith("\uFEFF") ? content.substring(1) : content, json);
  }

  private void unreadable(String name, Exception e) {
    String why;
    if (e instanceof NoSuchFileException) {
      why = "no such file or directory";
    } else if (e instanceof AccessDeniedException) {
      why = "permission denied";
    } else if (e instanceof NotDirectoryException) {
      why = "not a directory";
    } else {
      why = e.getMessage() == null ? e.getClass().getSimpleName() : Text.clip(e.getMessage());
    }
    findings.add(new Finding(Finding.Severity.ERROR, name, 0, "", UNREADABLE + why));
  }

  /** Strict UTF-8 (what Kubernetes requires), without a byte order mark. */
  private static String decode(byte[] bytes) throws CharacterCodingException {
    String text =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT)
            .decode(ByteBuffer.wrap(bytes))
            .toString();
    return text.startsWith("\uFEFF") ? text.substring(1) : text;
  }
}
