package dev.meshguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The shipped jar holds every class of Envoy's API that an ext_authz call needs. The jar keeps only
 * part of Envoy's 30 MB API (see the shade filter in this module's pom), and the unit tests run on
 * the full API, so only a look at the jar itself can tell. {@link EnvoyApiProbe} runs in a class
 * loader that sees the jar and the probe, nothing else of the test class path.
 */
class ShadedEnvoyApiIT {

  @Test
  void everyDescriptorAndMessageOfTheAuthServiceLoadsFromTheJar() throws Exception {
    Path jar = MeshguardProcess.jar();
    URL probe = EnvoyApiProbe.class.getProtectionDomain().getCodeSource().getLocation();
    List<String> reached;
    try (URLClassLoader jarOnly =
        new URLClassLoader(
            new URL[] {jar.toUri().toURL(), probe}, ClassLoader.getPlatformClassLoader())) {
      Class<?> request =
          Class.forName("io.envoyproxy.envoy.service.auth.v3.CheckRequest", false, jarOnly);
      assertThat(request.getProtectionDomain().getCodeSource().getLocation())
          .isEqualTo(jar.toUri().toURL());
      Object walked;
      try {
        walked =
            Class.forName(EnvoyApiProbe.class.getName(), true, jarOnly)
                .getMethod("walk")
                .invoke(null);
      } catch (InvocationTargetException e) {
        throw new AssertionError("a class an ext_authz call needs is not in " + jar, e.getCause());
      }
      reached = ((List<?>) walked).stream().map(String::valueOf).toList();
    }
    assertThat(reached)
        .contains(
            "file envoy/service/auth/v3/external_auth.proto",
            "file udpa/annotations/status.proto",
            "file xds/annotations/v3/status.proto",
            "file envoy/annotations/deprecation.proto",
            "file validate/validate.proto",
            "message envoy.service.auth.v3.AttributeContext.HttpRequest.HeadersEntry",
            "message envoy.service.auth.v3.AttributeContext.ContextExtensionsEntry",
            "message envoy.config.core.v3.HeaderValueOption",
            "message google.rpc.Status");
  }
}
