/**
 * The HTTP transport of the ext_authz client: `envoyExtAuthzHttp` providers asked over Netty as
 * Envoy's ext_authz filter asks them. Choosing the provider, failing open, circuits and metrics are
 * transport-free and live in {@link dev.meshguard.runtime.custom}.
 */
package dev.meshguard.proxy.custom;
