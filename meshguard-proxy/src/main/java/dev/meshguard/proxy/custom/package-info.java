/**
 * The ext_authz client: CUSTOM policies' external authorizers asked as Envoy's ext_authz filter
 * asks them (HTTP here; gRPC is plugged in by the extauthz module), with Istio's `failOpen`,
 * `statusOnError`, timeouts, a circuit and per-provider metrics.
 */
package dev.meshguard.proxy.custom;
