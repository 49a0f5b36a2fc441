package dev.meshguard.cli;

import java.lang.reflect.Proxy;
import java.util.concurrent.CountDownLatch;

/**
 * Turns SIGTERM and SIGINT into a latch, replacing the JVM's default handling: with a shutdown hook
 * the process would end with status 143 however cleanly it drained, while orchestrators expect 0
 * from a graceful stop. `sun.misc.Signal` (module jdk.unsupported) is reached reflectively so that
 * the build carries no proprietary-API warning; where it is missing the default handling stays.
 */
final class ShutdownSignal {
  private ShutdownSignal() {}

  /** Installs the handlers; the latch opens at the first TERM or INT. */
  static CountDownLatch install() {
    CountDownLatch latch = new CountDownLatch(1);
    try {
      Class<?> signalClass = Class.forName("sun.misc.Signal");
      Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
      Object handler =
          Proxy.newProxyInstance(
              ShutdownSignal.class.getClassLoader(),
              new Class<?>[] {handlerClass},
              (proxy, method, args) ->
                  switch (method.getName()) {
                    case "handle" -> {
                      latch.countDown();
                      yield null;
                    }
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> "meshguard shutdown handler";
                  });
      for (String name : new String[] {"TERM", "INT"}) {
        Object signal = signalClass.getConstructor(String.class).newInstance(name);
        try {
          signalClass.getMethod("handle", signalClass, handlerClass).invoke(null, signal, handler);
        } catch (java.lang.reflect.InvocationTargetException e) {
          // reserved or ignored here (e.g. -Xrs): the default handling stays for this one
          System.err.println("meshguard: cannot handle SIG" + name + ": " + e.getCause());
        }
      }
    } catch (ReflectiveOperationException | RuntimeException e) {
      System.err.println("meshguard: signal handling unavailable (" + e + "); SIGTERM exits 143");
    }
    return latch;
  }
}
