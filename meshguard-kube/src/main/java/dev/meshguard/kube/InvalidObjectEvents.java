package dev.meshguard.kube;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.PrintStream;
import java.net.HttpURLConnection;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Posts a Warning Event on each object that is skipped, so that `kubectl describe` and `kubectl get
 * events` show why a policy is not enforced. One Event per object revision: its name derives from
 * the object's uid and resourceVersion, so replicas that all see the same bad object create it once
 * (the others get `409 AlreadyExists`). Posting runs on its own thread: a slow API server never
 * delays a new configuration.
 */
final class InvalidObjectEvents implements AutoCloseable {
  static final String REASON = "MeshguardRejected";
  static final String COMPONENT = "meshguard";
  private static final int MAX_MESSAGE = 1024;

  private final KubernetesClient client;
  private final Clock clock;
  private final PrintStream log;
  private final String instance;
  private final ExecutorService executor;

  /** uid/resourceVersion of the revisions already reported; pruned to those still skipped. */
  private final Set<String> reported = new HashSet<>();

  InvalidObjectEvents(KubernetesClient client, Clock clock, PrintStream log) {
    this.client = client;
    this.clock = clock;
    this.log = log;
    String host = System.getenv("HOSTNAME");
    this.instance = host == null || host.isBlank() ? "meshguard" : host;
    this.executor =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "meshguard-kube-events");
              t.setDaemon(true);
              return t;
            });
  }

  /** Reports the revisions of {@code skipped} not reported before; forgets the others. */
  synchronized void report(java.util.Map<HasMetadata, String> skipped) {
    Set<String> now = new HashSet<>();
    for (var entry : skipped.entrySet()) {
      HasMetadata object = entry.getKey();
      String key = object.getMetadata().getUid() + "/" + object.getMetadata().getResourceVersion();
      now.add(key);
      if (!reported.contains(key)) {
        Event event = event(object, entry.getValue());
        executor.execute(() -> post(event));
      }
    }
    reported.clear();
    reported.addAll(now);
  }

  Event event(HasMetadata object, String message) {
    String time = clock.instant().toString();
    String text =
        message.length() <= MAX_MESSAGE ? message : message.substring(0, MAX_MESSAGE - 3) + "...";
    String objectName = object.getMetadata().getName();
    String base = objectName.length() > 200 ? objectName.substring(0, 200) : objectName;
    return new EventBuilder()
        .withNewMetadata()
        .withName(base + "." + revisionHash(object))
        .withNamespace(object.getMetadata().getNamespace())
        .endMetadata()
        .withNewInvolvedObject()
        .withApiVersion(object.getApiVersion())
        .withKind(object.getKind())
        .withName(objectName)
        .withNamespace(object.getMetadata().getNamespace())
        .withUid(object.getMetadata().getUid())
        .withResourceVersion(object.getMetadata().getResourceVersion())
        .endInvolvedObject()
        .withType("Warning")
        .withReason(REASON)
        .withMessage(text)
        .withNewSource()
        .withComponent(COMPONENT)
        .endSource()
        .withReportingComponent(COMPONENT)
        .withReportingInstance(instance)
        .withFirstTimestamp(time)
        .withLastTimestamp(time)
        .withCount(1)
        .build();
  }

  private void post(Event event) {
    try {
      client.v1().events().inNamespace(event.getMetadata().getNamespace()).resource(event).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
        log.println(
            "meshguard: kubernetes: could not post an event on "
                + event.getInvolvedObject().getKind()
                + " "
                + event.getInvolvedObject().getNamespace()
                + "/"
                + event.getInvolvedObject().getName()
                + ": "
                + e.getMessage());
      }
    }
  }

  private static String revisionHash(HasMetadata object) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest(
                  (object.getMetadata().getUid() + "/" + object.getMetadata().getResourceVersion())
                      .getBytes(StandardCharsets.UTF_8));
      return "mg" + HexFormat.of().formatHex(digest, 0, 6);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    executor.shutdown();
    try {
      executor.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    executor.shutdownNow();
  }
}
