/**
 * The ext_authz client without its transports: CUSTOM policies' external authorizers asked as
 * Envoy's ext_authz filter asks them, with Istio's `failOpen`, `statusOnError`, timeouts, a circuit
 * and per-provider metrics. The HTTP transport comes from the proxy module, the gRPC one from the
 * extauthz module; whoever assembles a front end hands them in.
 */
package dev.meshguard.runtime.custom;
