package dev.meshguard.policy;

import dev.meshguard.policy.YamlDocuments.Document;
import dev.meshguard.policy.YamlDocuments.Parsed;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Remembers the YAML trees of each file's documents from one read to the next, keyed by the
 * document's text, so that reading a file again (a reload after one policy changed in a file of ten
 * thousand, or the second look at the files during start-up) parses only the documents that
 * changed. YAML parsing is most of the cost of reading a large configuration.
 *
 * <p>A file is cut at its document markers (a line that is `---`, or `---` and a space or tab) and
 * each piece parsed on its own; YAML forbids such lines inside scalars, and anchors never cross
 * documents, so the pieces hold the same documents as the whole. A file with directives (`%`) or
 * document end markers (`...`) is parsed whole, as is any file with a syntax error, so errors keep
 * their exact position and wording. Only each file's latest pieces are kept, and a file that is
 * gone from its directory or cannot be read any more is forgotten, so a watched directory whose
 * files come and go does not grow the cache.
 */
final class DocumentCache {
  /** File name to the parsed pieces of its latest read, by piece text. */
  private static final Map<String, Map<String, List<Document>>> FILES = new ConcurrentHashMap<>();

  private DocumentCache() {}

  /** {@link YamlDocuments#parse} of a YAML file's content, reusing unchanged documents. */
  static Parsed parse(String file, String content) {
    List<String> pieces = split(content);
    if (pieces == null) {
      FILES.remove(file);
      return YamlDocuments.parse(content, false);
    }
    Map<String, List<Document>> previous = FILES.getOrDefault(file, Map.of());
    Map<String, List<Document>> kept = new HashMap<>();
    List<Document> documents = new ArrayList<>();
    for (String piece : pieces) {
      List<Document> parsed = previous.get(piece);
      if (parsed == null) {
        parsed = kept.get(piece);
      }
      if (parsed == null) {
        Parsed one = YamlDocuments.parse(piece, false);
        if (one.error() != null) {
          // the whole file again, so the error says where it is in the file
          FILES.remove(file);
          return YamlDocuments.parse(content, false);
        }
        parsed = one.documents();
      }
      kept.put(piece, parsed);
      for (Document d : parsed) {
        documents.add(new Document(documents.size(), d.root(), d.problems()));
      }
    }
    FILES.put(file, kept);
    return new Parsed(documents, null);
  }

  /**
   * The file cut before each document start marker, or null when it must be parsed whole. The
   * pieces concatenate back to the content.
   */
  static List<String> split(String content) {
    List<String> pieces = new ArrayList<>();
    int start = 0;
    int line = 0;
    while (line < content.length()) {
      char first = content.charAt(line);
      if (first == '%' || content.startsWith("...", line) && isMarkerEnd(content, line + 3)) {
        return null;
      }
      if (line > start && content.startsWith("---", line) && isMarkerEnd(content, line + 3)) {
        pieces.add(content.substring(start, line));
        start = line;
      }
      int next = content.indexOf('\n', line);
      if (next < 0) {
        break;
      }
      line = next + 1;
    }
    pieces.add(content.substring(start));
    return pieces;
  }

  private static boolean isMarkerEnd(String content, int at) {
    if (at >= content.length()) {
      return true;
    }
    char c = content.charAt(at);
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
  }

  /** Forgets a file that could not be read (deleted, say). */
  static void forget(String file) {
    FILES.remove(file);
  }

  /** Forgets the files of {@code directory} not among {@code present} (its files now). */
  static void forgetMissing(Path directory, Set<String> present) {
    FILES.keySet().removeIf(file -> isIn(file, directory) && !present.contains(file));
  }

  static boolean isIn(String file, Path directory) {
    Path parent = Path.of(file).getParent();
    return parent != null && parent.equals(directory);
  }

  /** For tests: whether anything of {@code file} is remembered. */
  static boolean remembers(String file) {
    return FILES.containsKey(file);
  }

  /** For tests: forgets everything. */
  static void clear() {
    FILES.clear();
  }
}
