package dev.meshguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The real `serve` jar in front of a lenient {@link RawUpstream} that records every byte, with the
 * access log written to a file: the set-up of the adversarial end-to-end tests.
 */
final class AttackedServe implements AutoCloseable {
  private static final String SENTINEL = "/__sentinel__";

  final RawUpstream upstream;
  final MeshguardProcess process;
  final InetSocketAddress proxy;
  final Path accessLog;
  final Path config;

  private AttackedServe(
      RawUpstream upstream, MeshguardProcess process, Path accessLog, Path config) {
    this.upstream = upstream;
    this.process = process;
    this.proxy = process.listenAddress();
    this.accessLog = accessLog;
    this.config = config;
  }

  /** Starts `serve` in namespace `default` with {@code yaml} as its only configuration file. */
  static AttackedServe start(Path dir, String yaml, String... extraArgs) throws IOException {
    Path config = dir.resolve("policies.yaml");
    Files.writeString(config, yaml);
    Path log = dir.resolve("access.log");
    RawUpstream upstream = new RawUpstream();
    List<String> args =
        new ArrayList<>(
            List.of(
                "serve",
                "--config",
                config.toString(),
                "--upstream",
                upstream.url(),
                "--listen",
                "127.0.0.1:0",
                "--access-log",
                log.toString()));
    args.addAll(List.of(extraArgs));
    MeshguardProcess process = MeshguardProcess.start(args.toArray(String[]::new));
    return new AttackedServe(upstream, process, log, config);
  }

  /** One request on a new connection; fails when the proxy neither answers nor closes. */
  RawHttp.Response send(String wire) throws IOException {
    try (RawHttp.Conversation c = RawHttp.open(proxy)) {
      c.send(wire);
      return c.read(wire.startsWith("HEAD "));
    }
  }

  /** The next request the upstream received; fails when none arrives. */
  RawUpstream.Received forwarded() throws InterruptedException {
    RawUpstream.Received r = upstream.requests.poll(10, TimeUnit.SECONDS);
    assertThat(r).as("a request reached the upstream").isNotNull();
    return r;
  }

  /**
   * Asserts that nothing but a fresh sentinel request reaches the upstream: anything an earlier
   * exchange forwarded (even after answering its client) is queued before the sentinel.
   */
  void assertNothingForwarded() throws Exception {
    RawHttp.Response r = send("GET " + SENTINEL + " HTTP/1.1\r\nHost: sentinel\r\n\r\n");
    assertThat(r).as("sentinel answered").isNotNull();
    RawUpstream.Received first = upstream.requests.poll(10, TimeUnit.SECONDS);
    assertThat(first).as("the sentinel reaches the upstream").isNotNull();
    assertThat(first.requestLine())
        .as("nothing reached the upstream before the sentinel")
        .isEqualTo("GET " + SENTINEL + " HTTP/1.1");
    upstream.requests.clear();
    upstream.requestLines.clear();
  }

  /** Clears what the upstream recorded so far. */
  void forget() {
    upstream.requests.clear();
    upstream.requestLines.clear();
  }

  /**
   * The access log as written so far, after a sentinel request has been logged (lines are written
   * by a background thread).
   */
  String accessLogText() throws Exception {
    send("GET " + SENTINEL + "?log HTTP/1.1\r\nHost: sentinel\r\n\r\n");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      String text =
          Files.exists(accessLog) ? Files.readString(accessLog, StandardCharsets.UTF_8) : "";
      if (text.contains(SENTINEL + "?log")) {
        forget();
        return text;
      }
      Thread.sleep(20);
    }
    throw new AssertionError("the access log never showed the sentinel\n" + process.transcript());
  }

  @Override
  public void close() throws IOException {
    try {
      assertThat(process.terminate()).as(process.transcript()).isZero();
    } finally {
      upstream.close();
    }
  }
}
