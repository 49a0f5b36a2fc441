package dev.meshguard.cli;

import dev.meshguard.conformance.CorpusRequest;
import dev.meshguard.conformance.Placeholders;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The `check` options that describe one corpus request, shared by the check and parity runners. */
final class CheckArguments {
  private CheckArguments() {}

  static List<String> of(CorpusRequest r) {
    List<String> args = new ArrayList<>();
    args.add("--method=" + r.method());
    args.add("--scheme=" + r.scheme());
    args.add("--path=" + Placeholders.resolve(r.path()));
    if (r.host() != null) {
      args.add("--host=" + r.host());
    }
    args.add("--port=" + r.port());
    for (Map.Entry<String, String> h : r.resolvedHeaderEntries()) {
      args.add("--header=" + h.getKey() + ": " + h.getValue());
    }
    option(args, "--source-ip", r.sourceIp());
    if (r.numTrustedProxies() != 0) {
      args.add("--num-trusted-proxies=" + r.numTrustedProxies());
    }
    option(args, "--source-principal", r.sourcePrincipal());
    option(args, "--destination-ip", r.destinationIp());
    option(args, "--sni", r.sni());
    args.add("--now=" + r.nowEpochSeconds());
    return args;
  }

  private static void option(List<String> args, String name, String value) {
    if (value != null) {
      args.add(name + "=" + value);
    }
  }
}
