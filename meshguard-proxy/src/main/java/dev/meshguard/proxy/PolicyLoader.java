package dev.meshguard.proxy;

import java.nio.file.Path;
import java.util.List;

/** Reads and compiles the configuration; called at start and on every detected change. */
public interface PolicyLoader {

  /** Loads the configuration now. Never throws: problems are errors in the result. */
  LoadResult load();

  /** Files and directories whose changes trigger a reload. */
  List<Path> watchedPaths();
}
