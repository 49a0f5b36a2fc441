package dev.meshguard.cli;

import dev.meshguard.extauthz.GrpcProviderCall;
import dev.meshguard.proxy.custom.HttpProviderCalls;
import dev.meshguard.runtime.custom.CustomAuthorizers;
import dev.meshguard.runtime.custom.ProviderCircuit;
import dev.meshguard.runtime.custom.ProviderMetrics;
import java.time.Clock;

/**
 * The ext_authz client of CUSTOM policies, assembled with both transports: HTTP from the proxy
 * module, gRPC from the extauthz module. Only here do the two meet; the runtime knows neither.
 */
final class ProviderClients {
  private ProviderClients() {}

  /** With the circuit every front end uses. */
  static CustomAuthorizers create(ProviderMetrics metrics) {
    return create(metrics, ProviderCircuit.OPEN_AFTER);
  }

  /**
   * @param circuitOpensAfter consecutive errors after which a provider is not called for a while;
   *     0: never
   */
  static CustomAuthorizers create(ProviderMetrics metrics, int circuitOpensAfter) {
    return new CustomAuthorizers(
        new HttpProviderCalls(),
        GrpcProviderCall.factory(),
        metrics,
        Clock.systemUTC(),
        circuitOpensAfter);
  }
}
