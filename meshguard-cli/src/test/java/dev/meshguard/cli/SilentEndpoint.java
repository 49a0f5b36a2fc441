package dev.meshguard.cli;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A hung identity provider: a real loopback socket that accepts connections and never answers,
 * holding them open until the test releases it (then it closes them, and closes every later one at
 * once). Counts the connections it accepted, so a test sees on the server side how many fetches
 * were made.
 */
final class SilentEndpoint implements AutoCloseable {
  private final ServerSocket server;
  private final List<Socket> held = new CopyOnWriteArrayList<>();
  private final AtomicInteger accepted = new AtomicInteger();
  private volatile boolean released;

  SilentEndpoint() throws IOException {
    server = new ServerSocket(0, 256, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::accept, "silent-endpoint");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** A URL on this endpoint (every path is as silent). */
  String url() {
    return "http://127.0.0.1:" + server.getLocalPort() + "/jwks";
  }

  /** Connections accepted so far: each is one fetch. */
  int connections() {
    return accepted.get();
  }

  /** Waits until at least {@code n} connections came; fails after a generous hang guard. */
  void awaitConnections(int n) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (accepted.get() < n) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the endpoint got " + accepted.get() + " connections, not " + n);
      }
      Thread.sleep(10);
    }
  }

  /** Closes the held connections without a word, and every later one as it comes. */
  void release() {
    released = true;
    for (Socket s : held) {
      closeQuietly(s);
    }
    held.clear();
  }

  private void accept() {
    while (!server.isClosed()) {
      Socket s;
      try {
        s = server.accept();
      } catch (IOException e) {
        return; // closed
      }
      accepted.incrementAndGet();
      held.add(s);
      if (released) {
        release();
      }
    }
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // already gone
    }
  }

  @Override
  public void close() throws IOException {
    release();
    server.close();
  }
}
