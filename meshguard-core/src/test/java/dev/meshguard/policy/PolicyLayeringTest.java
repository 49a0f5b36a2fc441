package dev.meshguard.policy;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** `policy` imports nothing of ours (DESIGN.md): the engine depends on it, never the reverse. */
class PolicyLayeringTest {
  @Test
  void policyDependsOnNoOtherMeshguardPackage() throws Exception {
    // Importing from the class directory, not by package name: scanning the classpath is slow.
    Path classes =
        Path.of(ConfigLoader.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    JavaClasses policy =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPath(classes.resolve("dev/meshguard/policy"));
    noClasses()
        .that()
        .resideInAPackage("dev.meshguard.policy..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("dev.meshguard.jwt..", "dev.meshguard.jwks..", "dev.meshguard.engine..")
        .check(policy);
  }
}
