package dev.meshguard.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshguard.engine.PolicySnapshot;
import dev.meshguard.policy.Finding;
import dev.meshguard.testing.TestSnapshots;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LiveConfigTest {

  /** A file holding `ok…` loads (a new snapshot each time); anything else is rejected. */
  static final class FileLoader implements PolicyLoader {
    final Path file;
    final AtomicInteger loads = new AtomicInteger();

    FileLoader(Path file) {
      this.file = file;
    }

    @Override
    public LoadResult load() {
      loads.incrementAndGet();
      String text;
      try {
        text = Files.readString(file).trim();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      if (text.startsWith("ok")) {
        return LoadResult.accepted(
            TestSnapshots.empty(),
            List.of(new Finding(Finding.Severity.WARNING, file.toString(), 0, "", text)));
      }
      return LoadResult.rejected(
          List.of(new Finding(Finding.Severity.ERROR, file.toString(), 0, "spec", "bad")),
          List.of(file + ":0: spec: `" + text + "` is bad"));
    }

    @Override
    public List<Path> watchedPaths() {
      return List.of(file);
    }
  }

  private static void write(Path file, String text) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(tmp, text);
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  @Test
  void validChangeSwapsInvalidChangeKeepsTheLastGoodOne(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("policies.yaml");
    write(file, "ok 1");
    FileLoader loader = new FileLoader(file);
    MeshguardMetrics metrics = new MeshguardMetrics();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    LiveConfig config =
        new LiveConfig(
            loader,
            loader.load(),
            metrics,
            new PrintStream(err, true, StandardCharsets.UTF_8),
            Clock.systemUTC());
    PolicySnapshot first = config.current();

    write(file, "ok 2");
    assertThat(config.reload()).isTrue();
    PolicySnapshot second = config.current();
    assertThat(second).isNotSameAs(first);
    assertThat(config.findings().get(0).message()).isEqualTo("ok 2");

    write(file, "broken");
    assertThat(config.reload()).isFalse();
    assertThat(config.current()).isSameAs(second);
    assertThat(config.findings().get(0).message()).isEqualTo("ok 2");
    assertThat(config.lastError().errors()).containsExactly(file + ":0: spec: `broken` is bad");
    assertThat(config.lastReload().ok()).isFalse();
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("reload rejected, keeping the previous configuration")
        .contains("`broken` is bad");
    assertThat(metrics.scrape())
        .contains("meshguard_config_reloads_total{result=\"success\"} 1.0")
        .contains("meshguard_config_reloads_total{result=\"error\"} 1.0");

    write(file, "ok 3");
    assertThat(config.reload()).isTrue();
    assertThat(config.lastReload().ok()).isTrue();
    assertThat(config.lastError()).isNotNull();
  }

  @Test
  void afterEveryReloadTheLoadInForceIsHandedOn(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("policies.yaml");
    write(file, "ok 1");
    FileLoader loader = new FileLoader(file);
    LinkedBlockingQueue<LoadResult> handed = new LinkedBlockingQueue<>();
    LiveConfig config =
        new LiveConfig(
            loader,
            loader.load(),
            new MeshguardMetrics(),
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
            Clock.systemUTC(),
            handed::add);
    LoadResult first = config.inForce();
    assertThat(handed).isEmpty();

    write(file, "ok 2");
    assertThat(config.reload()).isTrue();
    LoadResult second = handed.poll();
    assertThat(second).isSameAs(config.inForce()).isNotSameAs(first);
    assertThat(second.findings().get(0).message()).isEqualTo("ok 2");

    write(file, "broken");
    assertThat(config.reload()).isFalse();
    assertThat(handed.poll()).as("a rejected reload hands on the load kept").isSameAs(second);
  }

  @Test
  void aFailingAfterReloadStepIsReportedAndTheReloadStands(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("policies.yaml");
    write(file, "ok 1");
    FileLoader loader = new FileLoader(file);
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    LiveConfig config =
        new LiveConfig(
            loader,
            loader.load(),
            new MeshguardMetrics(),
            new PrintStream(err, true, StandardCharsets.UTF_8),
            Clock.systemUTC(),
            result -> {
              throw new IllegalStateException("boom");
            });
    write(file, "ok 2");
    assertThat(config.reload()).isTrue();
    assertThat(config.findings().get(0).message()).isEqualTo("ok 2");
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("after reload: internal error");
  }

  @Test
  void watcherReloadsOnContentChangesOnly(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("p.yaml");
    write(file, "ok a");
    LinkedBlockingQueue<String> changes = new LinkedBlockingQueue<>();
    try (ConfigWatcher watcher =
        new ConfigWatcher(List.of(file), Duration.ofMillis(50), () -> changes.add("changed"))) {
      watcher.start();
      write(file, "ok b");
      assertThat(changes.poll(10, TimeUnit.SECONDS)).isEqualTo("changed");
    }
    // the poll path, without file events: touching without a content change does nothing
    ConfigWatcher poller =
        new ConfigWatcher(List.of(file), Duration.ofDays(1), () -> changes.add("x"));
    poller.start();
    try (poller) {
      changes.clear();
      Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis() + 5000));
      poller.checkNow();
      assertThat(changes).isEmpty();
      write(file, "ok c");
      poller.checkNow();
      assertThat(changes).isNotEmpty();
    }
  }

  @Test
  void aChangeWrittenBetweenTheFirstLoadAndTheWatchersStartIsNoticed(@TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("policy.yaml");
    write(file, ALLOW_ALL);
    FilePolicyLoader loader =
        new FilePolicyLoader(
            List.of(file),
            null,
            null,
            new dev.meshguard.engine.Workload("default", java.util.Map.of()),
            (rule, config) -> {
              throw new AssertionError("no remote keys here");
            },
            true);
    assertThat(loader.load().ok()).isTrue();
    String loaded = loader.fingerprintOfLastLoad();
    assertThat(loaded).isEqualTo(ConfigWatcher.fingerprint(List.of(file)));
    // written after the read, before the watcher (serve starts its listeners in between)
    write(file, ALLOW_ALL.replace("allow-all", "allow-all-v2"));
    LinkedBlockingQueue<String> changes = new LinkedBlockingQueue<>();
    // a day between polls: only the check against the loaded fingerprint can see this change
    try (ConfigWatcher watcher =
        new ConfigWatcher(List.of(file), Duration.ofDays(1), () -> changes.add("changed"))) {
      watcher.start(loaded);
      assertThat(changes.poll(10, TimeUnit.SECONDS)).isEqualTo("changed");
    }
  }

  private static final String ALLOW_ALL =
      """
      apiVersion: security.istio.io/v1
      kind: AuthorizationPolicy
      metadata: {name: allow-all, namespace: default}
      spec:
        action: ALLOW
        rules: [{}]
      """;

  @Test
  void directoriesContributeTheirConfigurationFiles(@TempDir Path dir) throws Exception {
    write(dir.resolve("a.yaml"), "ok");
    String before = ConfigWatcher.fingerprint(List.of(dir));
    write(dir.resolve("notes.txt"), "ignored");
    assertThat(ConfigWatcher.fingerprint(List.of(dir))).isEqualTo(before);
    write(dir.resolve("b.yml"), "ok");
    String withB = ConfigWatcher.fingerprint(List.of(dir));
    assertThat(withB).isNotEqualTo(before);
    Files.delete(dir.resolve("b.yml"));
    assertThat(ConfigWatcher.fingerprint(List.of(dir))).isEqualTo(before);
  }
}
