package dev.meshguard.proxy;

/**
 * What the proxy knows about the client connection a request arrived on.
 *
 * @param peerIp the direct peer address (`source.ip`)
 * @param localIp the local address the connection was accepted on
 * @param localPort the local port
 * @param scheme `http` or `https`
 * @param sni the TLS server name, or null
 */
record ConnectionInfo(String peerIp, String localIp, int localPort, String scheme, String sni) {}
