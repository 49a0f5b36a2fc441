package dev.meshguard.cli;

/**
 * The cluster's configuration could not be had: no client configuration, or no first view in time.
 */
final class KubeUnavailable extends Exception {
  private static final long serialVersionUID = 1L;

  KubeUnavailable(String message) {
    super(message);
  }
}
