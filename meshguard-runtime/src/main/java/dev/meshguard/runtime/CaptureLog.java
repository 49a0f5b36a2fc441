package dev.meshguard.runtime;

import dev.meshguard.engine.CheckRequest;
import dev.meshguard.engine.Decision;
import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The `serve --capture FILE` writer: one {@link CaptureFormat} line per decided request, for
 * `meshguard replay`. Deciding threads only enqueue; one writer thread formats and writes (as the
 * access log does), so capturing never stalls requests. A full queue drops the record; once the
 * file reaches its size cap, recording stops (said once on the log) and later records are dropped.
 */
public final class CaptureLog implements Closeable {
  private record Entry(Instant time, CheckRequest request, Decision decision) {}

  private static final Entry STOP = new Entry(Instant.EPOCH, null, null);

  private final BlockingQueue<Entry> queue = new ArrayBlockingQueue<>(65_536);
  private final Writer out;
  private final long maxBytes;
  private final boolean keepTokens;
  private final PrintStream log;
  private final Path file;
  private final Thread writer;
  private final AtomicLong dropped = new AtomicLong();
  private long written;
  private boolean full;

  private CaptureLog(
      Path file, Writer out, long maxBytes, boolean keepTokens, PrintStream log, long written) {
    this.file = file;
    this.out = out;
    this.maxBytes = maxBytes;
    this.keepTokens = keepTokens;
    this.log = log;
    this.written = written;
    this.writer = new Thread(this::run, "meshguard-capture");
    writer.setDaemon(true);
  }

  /**
   * Opens (truncates) {@code file} and writes its first line.
   *
   * @param maxBytes the size cap of the file
   * @param keepTokens write tokens as sent (`--capture-tokens`) instead of their claims
   * @param facts what the capture was made with (workload, configuration), for `replay`
   * @param log where reaching the cap and write errors are reported
   */
  public static CaptureLog open(
      Path file, long maxBytes, boolean keepTokens, Map<String, Object> facts, PrintStream log)
      throws IOException {
    BufferedWriter out =
        Files.newBufferedWriter(
            file,
            StandardCharsets.UTF_8,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE);
    String header = CaptureFormat.header(facts, keepTokens) + "\n";
    out.write(header);
    out.flush();
    CaptureLog capture = new CaptureLog(file, out, maxBytes, keepTokens, log, utf8Length(header));
    capture.writer.start();
    return capture;
  }

  /** Records one decision; never blocks. */
  public void record(Instant time, CheckRequest request, Decision decision) {
    if (!queue.offer(new Entry(time, request, decision))) {
      dropped.incrementAndGet();
    }
  }

  /** Records not written: queue full or the size cap reached. */
  public long dropped() {
    return dropped.get();
  }

  @SuppressWarnings("ReferenceEquality") // the stop marker is one specific instance
  private void run() {
    List<Entry> batch = new ArrayList<>(256);
    try {
      while (true) {
        batch.add(queue.take());
        queue.drainTo(batch, 1023);
        boolean stop = false;
        for (Entry e : batch) {
          if (e == STOP) {
            stop = true;
            break;
          }
          write(e);
        }
        batch.clear();
        out.flush();
        if (stop) {
          return;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException | RuntimeException e) {
      log.println("meshguard: capture " + file + ": " + e.getMessage() + "; capturing stopped");
    }
  }

  private void write(Entry e) throws IOException {
    if (full) {
      dropped.incrementAndGet();
      return;
    }
    String line = CaptureFormat.line(e.time(), e.request(), e.decision(), keepTokens) + "\n";
    long size = utf8Length(line);
    if (written + size > maxBytes) {
      full = true;
      dropped.incrementAndGet();
      log.println(
          "meshguard: capture "
              + file
              + " reached its size cap ("
              + maxBytes
              + " bytes); later requests are not recorded");
      return;
    }
    out.write(line);
    written += size;
  }

  private static long utf8Length(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length;
  }

  /** Writes what is queued, then closes the file. */
  @Override
  public void close() {
    try {
      if (!queue.offer(STOP, 1, TimeUnit.SECONDS)) {
        writer.interrupt();
      }
      writer.join(5_000);
      out.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      log.println("meshguard: capture " + file + ": " + e.getMessage());
    }
  }
}
