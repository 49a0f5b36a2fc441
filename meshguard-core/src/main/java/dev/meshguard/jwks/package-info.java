/**
 * Remote key sets: the keys of JWT rules with a `jwksUri`, or found by OpenID discovery, fetched
 * off the request path and kept through outages for a bounded time.
 *
 * <p>Entry point: {@link dev.meshguard.jwks.RemoteJwksSources#remote}, which the engine adapts to
 * its {@code JwksSources} interface. This package may use {@code dev.meshguard.jwt} and {@code
 * dev.meshguard.policy}, never {@code dev.meshguard.engine}.
 *
 * <p>Defaults ({@link dev.meshguard.jwks.RemoteJwksOptions#defaults()}) and why:
 *
 * <ul>
 *   <li>refresh every 20 min: istiod's `PILOT_JWT_PUB_KEY_REFRESH_INTERVAL`, so keys change on the
 *       same rhythm as in a mesh; rotation does not wait for it (unknown `kid` refetches).
 *   <li>at most one forced fetch per 5 s per source: a new `kid` is picked up within seconds, while
 *       a flood of forged `kid`s costs the identity provider at most 12 requests a minute.
 *   <li>stale window 24 h after the last successful fetch: rides out an identity-provider outage
 *       over a night, yet bounds how long a key withdrawn during an outage stays trusted. Identity
 *       providers announce keys ahead and keep them well past rotation, so a day-old key set is
 *       rarely wrong; istiod keeps keys up to 7 days, which is long for a withdrawn key.
 *   <li>retries after failures at 1 s, doubling to 5 min: quick recovery from a blip, a light load
 *       on an endpoint that is down. Requests meeting a source without keys also force a
 *       (rate-limited) fetch, so recovery follows traffic.
 *   <li>1 MiB body, 100 keys: real JWKS documents are a few KiB with a handful of keys; the limits
 *       stop a misbehaving or hostile endpoint from exhausting memory.
 *   <li>timeout: the rule's `timeout` (5 s by default, as Istio), for connect, TLS and response
 *       together; a request waits that long at most, and only while the source never had keys.
 *   <li>link-local and cloud-metadata addresses refused (as istiod does); private ranges and
 *       loopback allowed, since in-cluster endpoints live there (`validate` warns about loopback).
 *   <li>redirects not followed (as Envoy): a redirect could lead a fetch anywhere.
 *   <li>sources unused for 7 days are dropped (as istiod).
 * </ul>
 *
 * <p>Never: a built-in, placeholder or fallback key (CVE-2026-31837); a response body in an error
 * or log line (SSRF, GHSA-fgw5-hp8f-xfhc).
 */
package dev.meshguard.jwks;
