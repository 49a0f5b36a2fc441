/**
 * Istio configuration as values: the records for the kinds meshguard reads, and {@link
 * dev.meshguard.policy.ConfigLoader}, which reads YAML/JSON files into them with findings.
 *
 * <p>How the loader fills the records (what the engine can rely on):
 *
 * <ul>
 *   <li>Absent strings are null (`issuer`, `jwksUri`, `jwks`, a header `prefix`, a targetRef
 *       `group`...). An AuthorizationPolicy `provider` is null when absent and `""` for `provider:
 *       {}`.
 *   <li>Absent lists are empty, except where absence means something: `Rule.from`/`Rule.to` and
 *       `JwtRule.fromHeaders`/`fromParams`/`fromCookies` are null when absent.
 *   <li>Enum-like fields hold their effective value: `action` ALLOW, ServiceEntry `location`
 *       MESH_EXTERNAL and `resolution` NONE, client TLS `mode` DISABLE when not given.
 *   <li>`DestinationRule.portLevelTls` lists only the port-level settings that set `tls`.
 *   <li>A singular `targetRef` is a one-element `targetRefs`.
 *   <li>Objects that could not be read (wrong types, unknown fields) are not in the set; objects
 *       with validation errors are. A set with any error finding must not be enforced.
 * </ul>
 */
package dev.meshguard.policy;
