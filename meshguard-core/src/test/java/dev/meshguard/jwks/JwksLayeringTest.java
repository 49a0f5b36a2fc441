package dev.meshguard.jwks;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * This package must not use the engine (the engine uses it). A compiled class names every class it
 * refers to in its constant pool, so scanning the class files is enough, and much faster than a
 * full ArchUnit import.
 */
class JwksLayeringTest {
  @Test
  void jwksDoesNotDependOnTheEngine() throws IOException, URISyntaxException {
    Path dir =
        Path.of(RemoteJwksSources.class.getProtectionDomain().getCodeSource().getLocation().toURI())
            .resolve("dev/meshguard/jwks");
    List<Path> classes;
    try (Stream<Path> files = Files.list(dir)) {
      classes = files.filter(p -> p.toString().endsWith(".class")).toList();
    }
    assertThat(classes).isNotEmpty();
    for (Path file : classes) {
      String bytes = new String(Files.readAllBytes(file), ISO_8859_1);
      assertThat(bytes).as(file.getFileName().toString()).doesNotContain("dev/meshguard/engine/");
    }
  }
}
