package dev.meshguard.kube;

import static dev.meshguard.kube.KubeConfigSourceTest.await;
import static dev.meshguard.kube.KubeConfigSourceTest.policy;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Outages, `410 Gone` and long runs of updates. */
class KubeSourceResilienceTest {
  private MockApiServer api;
  private KubernetesClient admin;
  private KubeConfigSource source;
  private final ByteArrayOutputStream log = new ByteArrayOutputStream();

  @BeforeEach
  void startServer() {
    api = MockApiServer.start();
    admin = api.client();
  }

  @AfterEach
  void stop() {
    if (source != null) {
      source.close();
    }
    admin.close();
    api.close();
  }

  private void start() throws InterruptedException {
    source =
        KubeConfigSource.start(
            api.client(),
            KubeSettings.defaults(),
            new PrintStream(log, true, StandardCharsets.UTF_8));
    assertThat(source.awaitFirstView(KubeConfigSourceTest.HANG_GUARD)).isTrue();
  }

  private int status(String path) {
    return KubeConfigSourceTest.status(source.current(), KubeConfigSourceTest.HTTPBIN, path);
  }

  @Test
  void anOutageKeepsTheLastViewAndTheSourceCatchesUpAfterwards() throws Exception {
    MockApiServer.apply(admin, policy("deny-admin", "DENY", "/admin"));
    start();
    long generation = source.current().generation();
    api.stop();
    await("the outage to show", () -> !source.synced());
    assertThat(source.lastError()).contains("not connected");
    assertThat(source.current().generation()).isEqualTo(generation);
    assertThat(status("/admin")).isEqualTo(403);

    api.restart();
    await("the watches to come back", source::synced);
    MockApiServer.apply(admin, policy("deny-admin", "DENY", "/changed"));
    await("a change after the outage", () -> status("/changed") == 403);
    assertThat(status("/admin")).isEqualTo(200);
  }

  @Test
  void aWatchThatAnswers410GoneListsAgain() throws Exception {
    MockApiServer.apply(admin, policy("deny-admin", "DENY", "/admin"));
    start();
    int listsBefore = api.lists();
    api.expireNextWatch();
    // break the open watches: they reconnect, one of them gets 410 and must relist
    api.stop();
    api.restart();
    await("the 410", () -> api.gones() == 1);
    await("a fresh list after the 410", () -> api.lists() > listsBefore);
    await("the watches to come back", source::synced);
    MockApiServer.apply(admin, policy("deny-admin", "DENY", "/changed"));
    await("a change after the relist", () -> status("/changed") == 403);
  }

  @Test
  void manyUpdatesOfFewObjectsKeepEverythingBounded() throws Exception {
    start();
    int updates = 600;
    for (int i = 0; i < updates; i++) {
      MockApiServer.apply(admin, policy("p" + (i % 3), "DENY", "/path-" + i));
    }
    int last = updates - 1;
    await("the last update", () -> status("/path-" + last) == 403);
    assertThat(source.current().config().authorizationPolicies()).hasSize(3);
    assertThat(source.cachedDocuments()).isEqualTo(3);
    // debounced: far fewer views than updates
    assertThat(source.current().generation()).isLessThan(updates);
    for (int i = 0; i < 3; i++) {
      MockApiServer.delete(admin, policy("p" + i, "DENY", "/x"));
    }
    await("the deletes", () -> source.current().config().authorizationPolicies().isEmpty());
    await("the cache to empty", () -> source.cachedDocuments() == 0);
  }
}
