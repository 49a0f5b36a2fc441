package dev.meshguard.cli;

import dev.meshguard.runtime.FrontEnd;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * How every long-running command (`serve`, `extauthz`, `demo`) ends: it waits for SIGTERM/SIGINT
 * ({@link ShutdownSignal}), turns readiness off, says so, and drains its front ends in order.
 */
final class GracefulStop {
  private GracefulStop() {}

  /**
   * Blocks until the signal, then drains; 0 when stopped by a signal.
   *
   * @param inFlight what is let finish, for the messages: `in-flight requests`, `calls in flight`
   * @param leftOver what happens to what did not finish: `remaining connections were closed`
   */
  static int awaitThenDrain(
      CountDownLatch stop,
      List<FrontEnd> frontEnds,
      Duration drain,
      PrintWriter err,
      String inFlight,
      String leftOver) {
    try {
      stop.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    // not ready before saying so, so that whoever reads the line sees readiness fail
    frontEnds.forEach(FrontEnd::startDraining);
    err.println("meshguard: stopping, letting " + inFlight + " finish (at most " + drain + ")");
    err.flush();
    boolean clean = true;
    for (FrontEnd f : frontEnds) {
      clean &= f.shutdown(drain);
    }
    if (!clean) {
      err.println("meshguard: drain timeout passed; " + leftOver);
    }
    err.flush();
    return 0;
  }
}
