/**
 * Low-level request normalisation and matchers, each reproducing what Istio's generated Envoy
 * configuration does:
 *
 * <ul>
 *   <li>{@link dev.meshguard.engine.match.PathNormalizer} / {@link
 *       dev.meshguard.engine.match.NormalizedPath}: the request target as Envoy's codec and
 *       connection manager leave it for authorization and for the upstream;
 *   <li>{@link dev.meshguard.engine.match.StringMatch}: exact / prefix / suffix / {@code *} values;
 *   <li>{@link dev.meshguard.engine.match.PathTemplate}: {@code {*}} and {@code {**}} paths,
 *       matched in linear time;
 *   <li>{@link dev.meshguard.engine.match.IpMatcher}: addresses and CIDR ranges, literals only.
 * </ul>
 *
 * <p>All classes are immutable and thread-safe; compile once per configuration snapshot.
 */
package dev.meshguard.engine.match;
