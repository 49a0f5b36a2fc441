package dev.meshguard.policy;

import dev.meshguard.policy.YamlDocuments.Document;
import dev.meshguard.policy.YamlDocuments.Problem;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Remembers what reading each document of a file did (the objects it read, the findings and notices
 * it made), so that reading the file again replays unchanged documents instead of binding and
 * validating them again: after one policy of ten thousand changed, a reload reads one. A document
 * is unchanged when {@link DocumentCache} handed out the same tree for it at the same index; the
 * objects are immutable, so sharing them between reads is safe. What depends on other documents (an
 * object replacing an earlier one of the same name) is not remembered but done again on every read.
 * Only each file's latest read is kept, and only while the file is there (see {@link
 * DocumentCache}).
 */
final class DocumentReads {
  /** One effect of reading a document, in order. */
  sealed interface Step permits Emitted, Added {}

  /** Findings and notices the document made. */
  record Emitted(List<Finding> findings, List<String> notices) implements Step {
    Emitted {
      findings = List.copyOf(findings);
      notices = List.copyOf(notices);
    }
  }

  /** An object read cleanly, to be added to the set (see {@code ConfigLoader.add}). */
  record Added(
      String kind, Object object, ObjectMeta metadata, DocumentOrigin origin, String prefix)
      implements Step {}

  /**
   * The effects of reading one document, noted as they happen: the findings and notices it adds to
   * the loader's lists, and the objects it reads cleanly.
   */
  static final class Recording {
    private final List<Step> steps = new ArrayList<>();
    private final List<Finding> findings;
    private final List<String> notices;
    private int findingsMark;
    private int noticesMark;

    Recording(List<Finding> findings, List<String> notices) {
      this.findings = findings;
      this.notices = notices;
      skipEmitted();
    }

    /** An object read cleanly, after what was emitted before it. */
    void added(
        String kind, Object object, ObjectMeta metadata, DocumentOrigin origin, String prefix) {
      noteEmitted();
      steps.add(new Added(kind, object, metadata, origin, prefix));
    }

    /** Leaves out what was emitted since the last note: it depends on other documents. */
    void skipEmitted() {
      findingsMark = findings.size();
      noticesMark = notices.size();
    }

    /** The steps of the whole document (once it is read). */
    List<Step> steps() {
      noteEmitted();
      return steps;
    }

    private void noteEmitted() {
      if (findings.size() > findingsMark || notices.size() > noticesMark) {
        steps.add(
            new Emitted(
                findings.subList(findingsMark, findings.size()),
                notices.subList(noticesMark, notices.size())));
      }
      skipEmitted();
    }
  }

  private record Entry(int index, List<Problem> problems, List<Step> steps) {}

  /** A tree by identity: equal trees at different places are different documents to replay. */
  private static final class Tree {
    private final YamlNode root;

    Tree(YamlNode root) {
      this.root = root;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Tree t && t.root == root;
    }

    @Override
    public int hashCode() {
      return System.identityHashCode(root);
    }
  }

  private static final Map<String, Map<Tree, Entry>> FILES = new ConcurrentHashMap<>();

  private DocumentReads() {}

  /** Starts a read of {@code file}. */
  static FileRead begin(String file) {
    return new FileRead(file, FILES.getOrDefault(file, Map.of()));
  }

  /** Forgets a file that could not be read (deleted, say). */
  static void forget(String file) {
    FILES.remove(file);
  }

  /** Forgets the files of {@code directory} not among {@code present} (its files now). */
  static void forgetMissing(Path directory, Set<String> present) {
    FILES.keySet().removeIf(file -> DocumentCache.isIn(file, directory) && !present.contains(file));
  }

  /** For tests: whether anything of {@code file} is remembered. */
  static boolean remembers(String file) {
    return FILES.containsKey(file);
  }

  /** For tests: forgets everything. */
  static void clear() {
    FILES.clear();
  }

  /** The documents of one read of a file: looked up in the last read, kept for the next. */
  static final class FileRead {
    private final String file;
    private final Map<Tree, Entry> previous;
    private final Map<Tree, Entry> kept = new HashMap<>();

    private FileRead(String file, Map<Tree, Entry> previous) {
      this.file = file;
      this.previous = previous;
    }

    /** The steps of {@code document} from the last read, or null when it must be read. */
    List<Step> previous(Document document) {
      if (document.root() == null) {
        return null;
      }
      Entry e = previous.get(new Tree(document.root()));
      return e != null && e.index() == document.index() && e.problems() == document.problems()
          ? e.steps()
          : null;
    }

    void keep(Document document, List<Step> steps) {
      kept.put(
          new Tree(document.root()),
          new Entry(document.index(), document.problems(), List.copyOf(steps)));
    }

    /** Ends the read; {@code complete} is false when the file had a syntax error. */
    void end(boolean complete) {
      if (complete) {
        FILES.put(file, kept);
      } else {
        FILES.remove(file);
      }
    }
  }
}
