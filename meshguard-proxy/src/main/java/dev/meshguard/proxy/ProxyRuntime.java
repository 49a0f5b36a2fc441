package dev.meshguard.proxy;

import dev.meshguard.engine.PolicySnapshot;
import dev.meshguard.runtime.Decider;
import dev.meshguard.runtime.MeshguardMetrics;
import io.netty.channel.group.ChannelGroup;
import java.util.function.Supplier;

/** What every client connection of one proxy shares. */
final class ProxyRuntime {
  final ProxyOptions options;
  final RequestPreparer preparer;
  final UpstreamPool pool;
  final Supplier<PolicySnapshot> policies;
  final Decider decider;
  final MeshguardMetrics metrics;
  final AccessLog accessLog;
  final ChannelGroup clients;
  volatile boolean draining;

  ProxyRuntime(
      ProxyOptions options,
      UpstreamPool pool,
      Supplier<PolicySnapshot> policies,
      Decider decider,
      MeshguardMetrics metrics,
      AccessLog accessLog,
      ChannelGroup clients) {
    this.options = options;
    this.preparer = new RequestPreparer(options.numTrustedProxies(), options.forwardClientCert());
    this.pool = pool;
    this.policies = policies;
    this.decider = decider;
    this.metrics = metrics;
    this.accessLog = accessLog;
    this.clients = clients;
  }
}
