package dev.meshguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The real product started as users start it, through `bin/meshguard` (which runs the shaded jar),
 * as a separate process with its output captured by line. The test's JVM options reach the jar
 * through `MESHGUARD_JAVA_OPTS`, its JDK through `JAVA`, as a user would set them.
 */
final class MeshguardProcess implements AutoCloseable {
  private static final Pattern LISTENING =
      Pattern.compile("listening on (?:https?|grpc)://([^ ,]+):(\\d+)");
  private static final Pattern ADMIN = Pattern.compile("admin on https?://([^ ,]+):(\\d+)");
  static final Duration START = Duration.ofSeconds(60);

  /** A small heap and C1 only: several of these run beside the build on a shared machine. */
  static final String JAVA_OPTS = "-Xmx256m -XX:TieredStopAtLevel=1";

  final Process process;
  final List<String> stdout = new CopyOnWriteArrayList<>();
  final List<String> stderr = new CopyOnWriteArrayList<>();
  private final Thread outReader;
  private final Thread errReader;

  private MeshguardProcess(Process process) {
    this.process = process;
    this.outReader = reader(process.getInputStream(), stdout, "out");
    this.errReader = reader(process.getErrorStream(), stderr, "err");
  }

  static Path jar() {
    String jar = System.getProperty("meshguard.jar");
    assertThat(jar).as("system property meshguard.jar (set by failsafe)").isNotNull();
    Path p = Path.of(jar);
    assertThat(Files.isRegularFile(p)).as(p + " exists (run `mvn package` first)").isTrue();
    return p;
  }

  /** The repository's `bin/meshguard`, checked to run the jar the build made. */
  static Path launcher() {
    String repo = System.getProperty("meshguard.repo");
    assertThat(repo).as("system property meshguard.repo (set by failsafe)").isNotNull();
    Path launcher = Path.of(repo, "bin", "meshguard");
    assertThat(Files.isExecutable(launcher)).as(launcher + " is executable").isTrue();
    Path runs = Path.of(repo, "meshguard-cli", "target", "meshguard-all.jar");
    try {
      assertThat(Files.isSameFile(runs, jar())).as(launcher + " runs " + jar()).isTrue();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return launcher;
  }

  /** Starts `bin/meshguard ARGS...`. */
  /**
   * `serve` in namespace `foo` with policies and a MeshConfig (CUSTOM providers), ephemeral
   * listener and admin ports, no access log.
   */
  static MeshguardProcess serveWithMeshConfig(Path policies, Path meshConfig, String upstream) {
    return start(
        "serve",
        "--config",
        policies.toString(),
        "--mesh-config",
        meshConfig.toString(),
        "--namespace",
        "foo",
        "--upstream",
        upstream,
        "--listen",
        "127.0.0.1:0",
        "--admin",
        "127.0.0.1:0",
        "--access-log",
        "off");
  }

  static MeshguardProcess start(String... args) {
    return start(Map.of(), args);
  }

  /**
   * Starts `bin/meshguard ARGS...` with {@code env} added to (or replacing) the test's settings.
   */
  static MeshguardProcess start(Map<String, String> env, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(launcher().toString());
    cmd.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(cmd);
    builder
        .environment()
        .put("JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
    builder.environment().put("MESHGUARD_JAVA_OPTS", JAVA_OPTS);
    builder.environment().putAll(env);
    try {
      return new MeshguardProcess(builder.start());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Runs `bin/meshguard ARGS...` to its end (a short command: check, validate). */
  static MeshguardProcess run(String... args) {
    return run(Map.of(), args);
  }

  static MeshguardProcess run(Map<String, String> env, String... args) {
    MeshguardProcess p = start(env, args);
    p.awaitExit();
    return p;
  }

  /**
   * `bin/meshguard ARGS`, the way users start it, with {@code env} added to its environment (the
   * script runs the same jar).
   */
  static MeshguardProcess startScript(Map<String, String> env, String... args) {
    jar();
    String repo = System.getProperty("meshguard.repo");
    assertThat(repo).as("system property meshguard.repo (set by failsafe)").isNotNull();
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(repo, "bin", "meshguard").toString());
    cmd.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(cmd);
    builder
        .environment()
        .put("JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
    builder.environment().put("MESHGUARD_JAVA_OPTS", "-Xmx256m -XX:TieredStopAtLevel=1");
    builder.environment().putAll(env);
    try {
      return new MeshguardProcess(builder.start());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Thread reader(InputStream in, List<String> sink, String name) {
    Thread t =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                  sink.add(line);
                }
              } catch (IOException e) {
                // process gone
              }
            },
            "meshguard-" + name);
    t.setDaemon(true);
    t.start();
    return t;
  }

  /** Waits for a line matching {@code p} on stdout; fails with everything printed when it ends. */
  String awaitStdout(Predicate<String> p) {
    return await(stdout, p);
  }

  String awaitStderr(Predicate<String> p) {
    return await(stderr, p);
  }

  private String await(List<String> lines, Predicate<String> p) {
    long deadline = System.nanoTime() + START.toNanos();
    int seen = 0;
    while (System.nanoTime() < deadline) {
      for (; seen < lines.size(); seen++) {
        if (p.test(lines.get(seen))) {
          return lines.get(seen);
        }
      }
      if (!process.isAlive() && seen >= lines.size()) {
        joinReaders();
        for (; seen < lines.size(); seen++) {
          if (p.test(lines.get(seen))) {
            return lines.get(seen);
          }
        }
        throw new AssertionError("meshguard exited " + process.exitValue() + "\n" + transcript());
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
    throw new AssertionError("expected output did not come\n" + transcript());
  }

  String transcript() {
    return "--- stdout\n"
        + String.join("\n", stdout)
        + "\n--- stderr\n"
        + String.join("\n", stderr);
  }

  /** The proxy's address from the `listening on` line. */
  InetSocketAddress listenAddress() {
    return address(LISTENING, awaitStdout(l -> LISTENING.matcher(l).find()));
  }

  /** The `extauthz --http` listener. */
  InetSocketAddress httpListenAddress() {
    Pattern http = Pattern.compile("listening on http://([^ ,]+):(\\d+)");
    return address(http, awaitStdout(l -> http.matcher(l).find()));
  }

  InetSocketAddress adminAddress() {
    return address(ADMIN, awaitStdout(l -> ADMIN.matcher(l).find()));
  }

  private static InetSocketAddress address(Pattern p, String line) {
    Matcher m = p.matcher(line);
    assertThat(m.find()).isTrue();
    return new InetSocketAddress(m.group(1), Integer.parseInt(m.group(2)));
  }

  /** Sends SIGTERM and returns the exit code. */
  int terminate() {
    sigterm();
    return awaitExit();
  }

  /**
   * Sends SIGTERM. Through the process handle: {@code Process.destroy()} would also close our ends
   * of its output pipes, and what it prints while stopping would be lost.
   */
  void sigterm() {
    process.toHandle().destroy();
  }

  int awaitExit() {
    try {
      if (!process.waitFor(START.toSeconds(), TimeUnit.SECONDS)) {
        throw new AssertionError("meshguard did not exit\n" + transcript());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
    joinReaders();
    return process.exitValue();
  }

  private void joinReaders() {
    try {
      outReader.join(5_000);
      errReader.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Kills what is left: the launcher and the JVM it started, if it did not exec it. */
  @Override
  public void close() {
    List<ProcessHandle> children = process.descendants().toList();
    if (process.isAlive()) {
      process.destroyForcibly();
    }
    children.forEach(ProcessHandle::destroyForcibly);
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
