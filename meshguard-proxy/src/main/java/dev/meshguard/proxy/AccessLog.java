package dev.meshguard.proxy;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.meshguard.runtime.MeshguardMetrics;
import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * JSON-lines access log. Event loops only enqueue; one writer thread formats and writes, so a slow
 * terminal or disk never stalls request handling. When the queue is full the line is dropped and
 * counted rather than blocking the proxy.
 */
public abstract class AccessLog implements Closeable {

  public abstract void log(AccessLogEntry entry);

  /** Whether entries are kept: without an access log none is built (its reason text costs). */
  public boolean enabled() {
    return true;
  }

  @Override
  public void close() {}

  /** No access log (`--access-log off`). */
  public static AccessLog off() {
    return new AccessLog() {
      @Override
      public void log(AccessLogEntry entry) {}

      @Override
      public boolean enabled() {
        return false;
      }
    };
  }

  /**
   * Opens `--access-log off|stdout|FILE`. A file is appended to.
   *
   * @param stdout where `stdout` writes (the process's standard output)
   */
  public static AccessLog open(String spec, OutputStream stdout, MeshguardMetrics metrics)
      throws IOException {
    if (spec == null || spec.equals("stdout")) {
      return new JsonLines(
          new BufferedWriter(new OutputStreamWriter(stdout, StandardCharsets.UTF_8)),
          metrics,
          false);
    }
    if (spec.equals("off")) {
      return off();
    }
    // an OutputStreamWriter replaces what it cannot encode; Files.newBufferedWriter would throw,
    // and one request with odd bytes would end the log for good
    Writer out =
        new BufferedWriter(
            new OutputStreamWriter(
                Files.newOutputStream(
                    Path.of(spec),
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND,
                    StandardOpenOption.WRITE),
                StandardCharsets.UTF_8));
    return new JsonLines(out, metrics, true);
  }

  /** Formats one entry as a single JSON object without a line break. */
  public static String format(AccessLogEntry e) {
    StringWriter sw = new StringWriter(256);
    try (JsonGenerator g = Json.FACTORY.createGenerator(sw)) {
      g.writeStartObject();
      g.writeStringField("time", e.time().toString());
      g.writeStringField("request_id", e.requestId());
      g.writeStringField("client", e.client());
      g.writeStringField("method", e.method());
      g.writeStringField("host", e.host());
      g.writeStringField("path", e.path());
      g.writeNumberField("status", e.status());
      g.writeStringField("outcome", e.outcome());
      g.writeStringField("policy", e.policy());
      g.writeStringField("principal", e.principal());
      g.writeStringField("reason", e.reason());
      if (e.upstreamStatus() == null) {
        g.writeNullField("upstream_status");
      } else {
        g.writeNumberField("upstream_status", e.upstreamStatus());
      }
      g.writeStringField("upstream_failure", e.upstreamFailure());
      g.writeNumberField("duration_ms", Math.round(e.durationMs() * 1000.0) / 1000.0);
      // Envoy's names for the RBAC shadow (dry-run) metadata
      g.writeStringField("shadow_effective_policy_id", e.shadowEffectivePolicyId());
      g.writeStringField("shadow_engine_result", e.shadowEngineResult());
      g.writeEndObject();
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
    return sw.toString();
  }

  private static final class Json {
    static final JsonFactory FACTORY = new JsonFactory();
  }

  private static final class JsonLines extends AccessLog {
    private static final AccessLogEntry POISON =
        new AccessLogEntry(
            java.time.Instant.EPOCH,
            null,
            null,
            null,
            null,
            null,
            0,
            "",
            null,
            null,
            null,
            null,
            null,
            0);
    private final BlockingQueue<AccessLogEntry> queue = new ArrayBlockingQueue<>(65_536);
    private final Writer out;
    private final MeshguardMetrics metrics;
    private final boolean closeOut;
    private final Thread writer;

    JsonLines(Writer out, MeshguardMetrics metrics, boolean closeOut) {
      this.out = out;
      this.metrics = metrics;
      this.closeOut = closeOut;
      this.writer = new Thread(this::run, "meshguard-access-log");
      writer.setDaemon(true);
      writer.start();
    }

    @Override
    public void log(AccessLogEntry entry) {
      if (!queue.offer(entry) && metrics != null) {
        metrics.accessLogDropped();
      }
    }

    @SuppressWarnings("ReferenceEquality") // the stop marker is one specific instance
    private void run() {
      List<AccessLogEntry> batch = new ArrayList<>(256);
      try {
        while (true) {
          AccessLogEntry first = queue.take();
          batch.add(first);
          queue.drainTo(batch, 1023);
          boolean stop = false;
          for (AccessLogEntry e : batch) {
            if (e == POISON) {
              stop = true;
              break;
            }
            String line;
            try {
              line = format(e);
            } catch (RuntimeException ex) {
              // one entry that cannot be formatted must not stop the log
              line = "{\"error\":\"access log entry could not be formatted\"}";
            }
            out.write(line);
            out.write('\n');
          }
          batch.clear();
          out.flush();
          if (stop) {
            return;
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (IOException e) {
        System.err.println("meshguard: access log: " + e.getMessage());
      }
    }

    /** Writes what is queued, then stops the writer. */
    @Override
    public void close() {
      try {
        if (!queue.offer(POISON, 1, TimeUnit.SECONDS)) {
          writer.interrupt();
        }
        writer.join(5_000);
        if (closeOut) {
          out.close();
        } else {
          out.flush();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (IOException e) {
        System.err.println("meshguard: access log: " + e.getMessage());
      }
    }
  }
}
