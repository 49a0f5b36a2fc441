/**
 * What every long-running front end (`serve`, `extauthz`, `demo`) shares, without a transport:
 * loading the configuration, keeping it in force across reloads, the admin listener, metrics,
 * remote key health, deciding, and (in {@link dev.meshguard.runtime.custom}) the ext_authz client
 * of CUSTOM policies. The front ends attach to a {@link dev.meshguard.runtime.MeshguardRuntime}:
 * Netty's proxy and HTTP authorization server in meshguard-proxy, the gRPC server in
 * meshguard-extauthz.
 *
 * <h2>What is in force: one vocabulary</h2>
 *
 * <dl>
 *   <dt>{@link dev.meshguard.engine.PolicySnapshot} (core)
 *   <dd>The configuration compiled for one workload: immutable, what a request is decided with. A
 *       request takes one and keeps it to the end, whatever reloads meanwhile.
 *   <dt>{@link dev.meshguard.runtime.LoadResult}
 *   <dd>The outcome of one attempt to read and compile the configuration ({@link
 *       dev.meshguard.runtime.PolicyLoader#load()}): accepted with its snapshot, or rejected with
 *       its errors; always its findings, and the remote key sources it uses.
 *   <dt>{@link dev.meshguard.runtime.LiveConfig}
 *   <dd>The swappable holder of what is in force: the last accepted load ({@link
 *       dev.meshguard.runtime.LiveConfig#inForce()}) and its snapshot ({@link
 *       dev.meshguard.runtime.LiveConfig#current()}). A reload swaps in a new load only when it was
 *       accepted; {@link dev.meshguard.runtime.LiveConfig.ReloadStatus} says how the last attempt
 *       went.
 *   <dt>{@link dev.meshguard.runtime.WorkloadSnapshots}
 *   <dd>Snapshots of the load in force compiled for other workloads (one `extauthz` server for
 *       many), rebuilt when the load in force changes.
 * </dl>
 *
 * <p>"In force" always means the accepted load the {@code LiveConfig} holds now; a rejected load is
 * never in force, and the sources it fetched stop ({@link
 * dev.meshguard.runtime.RemoteKeysInForce}).
 */
package dev.meshguard.runtime;
