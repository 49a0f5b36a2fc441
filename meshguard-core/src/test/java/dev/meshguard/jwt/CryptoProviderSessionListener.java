package dev.meshguard.jwt;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Installs the JCA provider a test run asks for with {@code -Dmeshguard.crypto.provider=accp},
 * before any test engine (Jupiter or jqwik) runs, so the whole run uses it. A run that asks for
 * ACCP and cannot have it fails instead of quietly testing the JDK again.
 */
public final class CryptoProviderSessionListener implements LauncherSessionListener {
  @Override
  public void launcherSessionOpened(LauncherSession session) {
    if (!"accp".equals(System.getProperty(CryptoProviders.PROPERTY))) {
      return;
    }
    String active = CryptoProviders.installIfRequested().get();
    if (!active.startsWith(CryptoProviders.ACCP_NAME)) {
      throw new IllegalStateException("this test run needs ACCP as the first provider: " + active);
    }
  }
}
