package dev.meshguard.kube;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.dsl.Informable;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The informers of one kind (one per namespace, or one for all): fabric8's standard machinery, so
 * that any API server speaking the plain Kubernetes protocol works — a paged list with
 * `resourceVersion`, then a `watch=true` stream from it, and a fresh list when the watch answers
 * `410 Gone`. Informers retry forever: an outage only stops updates, the store keeps the last
 * objects.
 */
final class Watch<T extends HasMetadata> implements AutoCloseable {
  /** Objects per list page: bounds the memory of one answer on large clusters. */
  static final long LIST_PAGE = 500;

  private final String label;
  private final List<SharedIndexInformer<T>> informers = new ArrayList<>();
  private final List<CompletableFuture<Void>> started = new ArrayList<>();
  private final Clock clock;
  private volatile String lastError;
  private volatile Instant lastErrorTime;

  Watch(String label, Clock clock) {
    this.label = label;
    this.clock = clock;
  }

  String label() {
    return label;
  }

  /** Starts one informer on {@code source}; {@code onChange} runs on every add, update, delete. */
  Watch<T> add(Informable<T> source, Runnable onChange) {
    SharedIndexInformer<T> informer = source.withLimit(LIST_PAGE).runnableInformer(0);
    informer.exceptionHandler(
        (isStarted, t) -> {
          lastError = describe(t);
          lastErrorTime = clock.instant();
          return true;
        });
    informer.addEventHandler(
        new ResourceEventHandler<T>() {
          @Override
          public void onAdd(T obj) {
            onChange.run();
          }

          @Override
          public void onUpdate(T oldObj, T newObj) {
            onChange.run();
          }

          @Override
          public void onDelete(T obj, boolean deletedFinalStateUnknown) {
            onChange.run();
          }
        });
    informers.add(informer);
    started.add(informer.start().toCompletableFuture());
    return this;
  }

  /** Completes once every informer has listed its objects the first time. */
  CompletableFuture<Void> firstList() {
    return CompletableFuture.allOf(started.toArray(CompletableFuture[]::new));
  }

  boolean hasSynced() {
    return informers.stream().allMatch(SharedIndexInformer::hasSynced);
  }

  /** Whether every watch stream is open now: false during an outage. */
  boolean isWatching() {
    return informers.stream().allMatch(SharedIndexInformer::isWatching);
  }

  List<T> objects() {
    List<T> out = new ArrayList<>();
    for (SharedIndexInformer<T> informer : informers) {
      out.addAll(informer.getStore().list());
    }
    return out;
  }

  Map<String, Object> health() {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("watch", label);
    out.put("synced", hasSynced());
    out.put("watching", isWatching());
    List<String> versions = new ArrayList<>();
    informers.forEach(i -> versions.add(i.lastSyncResourceVersion()));
    out.put("resourceVersions", versions);
    out.put("lastError", lastError);
    out.put("lastErrorTime", lastErrorTime == null ? null : lastErrorTime.toString());
    return out;
  }

  String lastError() {
    return lastError;
  }

  private static String describe(Throwable t) {
    StringBuilder sb = new StringBuilder();
    for (Throwable c = t; c != null && sb.length() < 300; c = c.getCause()) {
      if (sb.length() > 0) {
        sb.append(": ");
      }
      sb.append(c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage());
      if (c.getCause() == c) {
        break;
      }
    }
    return sb.toString();
  }

  @Override
  public void close() {
    informers.forEach(SharedIndexInformer::close);
  }
}
