package dev.meshguard.proxy.custom;

import dev.meshguard.engine.ExtAuthzProvider;
import dev.meshguard.jwks.ServiceRoute;
import dev.meshguard.runtime.custom.ProviderCall;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.resolver.AddressResolver;
import io.netty.resolver.AddressResolverGroup;
import io.netty.resolver.DefaultNameResolver;
import io.netty.util.concurrent.DefaultEventExecutorGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.EventExecutorGroup;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * Makes `envoyExtAuthzHttp` transports ({@link HttpProviderCall}) for {@link
 * dev.meshguard.runtime.custom.CustomAuthorizers}: all of them share one small event loop group and
 * a resolver whose blocking name lookups run beside it, never on it.
 */
public final class HttpProviderCalls implements ProviderCall.Factory {
  private final EventLoopGroup group =
      new MultiThreadIoEventLoopGroup(
          1,
          new DefaultThreadFactory("meshguard-extauthz-client", true),
          NioIoHandler.newFactory());

  /** Name lookups block: they run here, never on the event loop that carries every call. */
  private final EventExecutorGroup dns =
      new DefaultEventExecutorGroup(2, new DefaultThreadFactory("meshguard-extauthz-dns", true));

  private final AddressResolverGroup<InetSocketAddress> resolver =
      new AddressResolverGroup<>() {
        @Override
        protected AddressResolver<InetSocketAddress> newResolver(EventExecutor executor) {
          return new DefaultNameResolver(dns.next()).asAddressResolver();
        }
      };

  @Override
  public ProviderCall create(ExtAuthzProvider provider, ServiceRoute route) {
    return new HttpProviderCall(provider, route, group, resolver);
  }

  @Override
  public void close() {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    resolver.close();
    dns.shutdownGracefully(0, 1, TimeUnit.SECONDS);
  }
}
