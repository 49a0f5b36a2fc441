package dev.meshguard.proxy;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;

/**
 * How `serve` listens and forwards. Defaults follow Envoy where it has one: 60 KiB of request
 * headers (`max_request_headers_kb`), a 15 s route timeout, a 10 s connect timeout.
 */
public final class ProxyOptions {
  private final InetSocketAddress listen;
  private final UpstreamTarget upstream;
  private final int numTrustedProxies;
  private final Duration connectTimeout;
  private final Duration requestTimeout;
  private final Duration idleTimeout;
  private final Duration upstreamIdleTimeout;
  private final UpstreamTls upstreamTls;
  private final int maxRequestLineBytes;
  private final int maxRequestHeaderBytes;
  private final int ioThreads;
  private final ForwardClientCert forwardClientCert;

  private ProxyOptions(Builder b) {
    this.listen = Objects.requireNonNull(b.listen, "listen");
    this.upstream = Objects.requireNonNull(b.upstream, "upstream");
    this.numTrustedProxies = b.numTrustedProxies;
    this.connectTimeout = b.connectTimeout;
    this.requestTimeout = b.requestTimeout;
    this.idleTimeout = b.idleTimeout;
    this.upstreamIdleTimeout = b.upstreamIdleTimeout;
    this.upstreamTls = b.upstreamTls;
    this.maxRequestLineBytes = b.maxRequestLineBytes;
    this.maxRequestHeaderBytes = b.maxRequestHeaderBytes;
    this.ioThreads = b.ioThreads;
    this.forwardClientCert = b.forwardClientCert;
  }

  public static Builder builder(InetSocketAddress listen, UpstreamTarget upstream) {
    return new Builder(listen, upstream);
  }

  public InetSocketAddress listen() {
    return listen;
  }

  public UpstreamTarget upstream() {
    return upstream;
  }

  /** Envoy's `xff_num_trusted_hops`: how many proxies in front of us append to XFF. */
  public int numTrustedProxies() {
    return numTrustedProxies;
  }

  public Duration connectTimeout() {
    return connectTimeout;
  }

  /** From the end of the request to the end of the response; zero disables it. */
  public Duration requestTimeout() {
    return requestTimeout;
  }

  /** A client connection without traffic for this long is closed; zero disables it. */
  public Duration idleTimeout() {
    return idleTimeout;
  }

  /** TLS towards an `https://` or `h2://` upstream. */
  public UpstreamTls upstreamTls() {
    return upstreamTls;
  }

  /** A pooled upstream connection unused for this long is closed. */
  public Duration upstreamIdleTimeout() {
    return upstreamIdleTimeout;
  }

  public int maxRequestLineBytes() {
    return maxRequestLineBytes;
  }

  public int maxRequestHeaderBytes() {
    return maxRequestHeaderBytes;
  }

  /** Event loop threads: they also decide (deciding never blocks). */
  public int ioThreads() {
    return ioThreads;
  }

  /** Envoy's `forward_client_cert_details`: what becomes of `x-forwarded-client-cert`. */
  public ForwardClientCert forwardClientCert() {
    return forwardClientCert;
  }

  /** Options past the listen address and upstream. */
  public static final class Builder {
    private final InetSocketAddress listen;
    private final UpstreamTarget upstream;
    private int numTrustedProxies;
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Duration requestTimeout = Duration.ofSeconds(15);
    private Duration idleTimeout = Duration.ofMinutes(5);
    private Duration upstreamIdleTimeout = Duration.ofSeconds(20);
    private UpstreamTls upstreamTls = UpstreamTls.DEFAULTS;
    private int maxRequestLineBytes = 64 * 1024;
    private int maxRequestHeaderBytes = 60 * 1024;
    private int ioThreads = Math.max(1, Runtime.getRuntime().availableProcessors());
    private ForwardClientCert forwardClientCert = ForwardClientCert.SANITIZE;

    private Builder(InetSocketAddress listen, UpstreamTarget upstream) {
      this.listen = Objects.requireNonNull(listen, "listen");
      this.upstream = Objects.requireNonNull(upstream, "upstream");
    }

    public Builder numTrustedProxies(int n) {
      if (n < 0) {
        throw new IllegalArgumentException("--num-trusted-proxies must be >= 0");
      }
      this.numTrustedProxies = n;
      return this;
    }

    public Builder connectTimeout(Duration d) {
      this.connectTimeout = positive(d, "connect timeout");
      return this;
    }

    public Builder requestTimeout(Duration d) {
      this.requestTimeout = notNegative(d, "request timeout");
      return this;
    }

    public Builder idleTimeout(Duration d) {
      this.idleTimeout = notNegative(d, "idle timeout");
      return this;
    }

    public Builder upstreamTls(UpstreamTls tls) {
      this.upstreamTls = Objects.requireNonNull(tls, "tls");
      return this;
    }

    public Builder upstreamIdleTimeout(Duration d) {
      this.upstreamIdleTimeout = positive(d, "upstream idle timeout");
      return this;
    }

    public Builder maxRequestLineBytes(int n) {
      this.maxRequestLineBytes = atLeast(n, 256, "max request line");
      return this;
    }

    public Builder maxRequestHeaderBytes(int n) {
      this.maxRequestHeaderBytes = atLeast(n, 1024, "max request headers");
      return this;
    }

    public Builder ioThreads(int n) {
      this.ioThreads = atLeast(n, 1, "io threads");
      return this;
    }

    public Builder forwardClientCert(ForwardClientCert mode) {
      this.forwardClientCert = Objects.requireNonNull(mode, "forwardClientCert");
      return this;
    }

    public ProxyOptions build() {
      return new ProxyOptions(this);
    }

    private static Duration positive(Duration d, String what) {
      Objects.requireNonNull(d, what);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(what + " must be positive");
      }
      return d;
    }

    private static Duration notNegative(Duration d, String what) {
      Objects.requireNonNull(d, what);
      if (d.isNegative()) {
        throw new IllegalArgumentException(what + " must not be negative");
      }
      return d;
    }

    private static int atLeast(int n, int min, String what) {
      if (n < min) {
        throw new IllegalArgumentException(what + " must be at least " + min);
      }
      return n;
    }
  }
}
