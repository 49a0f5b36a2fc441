package dev.meshguard.proxy;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.util.Locale;

/**
 * The socket transport of the listeners and upstream connections: Linux's epoll through Netty's
 * native library where it loads (a request costs four system calls either way, but epoll does
 * without NIO's selector bookkeeping and the locks of every NIO read and write), Java NIO
 * elsewhere. The system property {@value #PROPERTY} (`auto`, `epoll` or `nio`) chooses; one choice
 * per process, since upstream connections run on the listeners' event loops.
 */
public enum Transport {
  EPOLL,
  NIO;

  /** System property choosing the transport: `auto` (default), `epoll` or `nio`. */
  public static final String PROPERTY = "meshguard.transport";

  private static final class Chosen {
    static final Transport TRANSPORT = choose(System.getProperty(PROPERTY));
  }

  /** The transport of this process. */
  public static Transport current() {
    return Chosen.TRANSPORT;
  }

  static Transport choose(String setting) {
    String value = setting == null ? "auto" : setting.strip().toLowerCase(Locale.ROOT);
    if (value.equals("nio")) {
      return NIO;
    }
    // `epoll` where it cannot load falls back too: a server that does not start helps nobody
    return epollAvailable() ? EPOLL : NIO;
  }

  private static boolean epollAvailable() {
    try {
      return Epoll.isAvailable();
    } catch (LinkageError e) {
      return false;
    }
  }

  IoHandlerFactory ioHandlerFactory() {
    return this == EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
  }

  Class<? extends ServerSocketChannel> serverChannel() {
    return this == EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
  }

  Class<? extends SocketChannel> socketChannel() {
    return this == EPOLL ? EpollSocketChannel.class : NioSocketChannel.class;
  }
}
