package dev.meshguard.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import picocli.CommandLine;

/**
 * `meshguard --version`: the version, the git commit and time of the build (written into the jar by
 * the build), and the Java runtime.
 */
final class BuildInfo implements CommandLine.IVersionProvider {
  static final String RESOURCE = "/META-INF/meshguard-build.properties";

  @Override
  public String[] getVersion() {
    Properties p = new Properties();
    try (InputStream in = BuildInfo.class.getResourceAsStream(RESOURCE)) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      // no build facts: a build from classes (tests, IDE)
    }
    List<String> lines = new ArrayList<>();
    lines.add("meshguard " + p.getProperty("version", "dev"));
    String commit = p.getProperty("commit", "unknown");
    lines.add(
        "commit: "
            + commit
            + ("true".equals(p.getProperty("dirty")) ? " (with uncommitted changes)" : ""));
    lines.add("built: " + p.getProperty("time", "unknown"));
    lines.add(
        "java: "
            + System.getProperty("java.runtime.version", System.getProperty("java.version"))
            + " ("
            + System.getProperty("java.vendor", "?")
            + ") on "
            + System.getProperty("os.name")
            + " "
            + System.getProperty("os.arch"));
    return lines.toArray(String[]::new);
  }
}
