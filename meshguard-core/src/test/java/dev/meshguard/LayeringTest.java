package dev.meshguard;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The layering of meshguard-core: `jwt` and `policy` are leaves, `jwks` sits below `engine`. */
class LayeringTest {
  private static JavaClasses classes;

  @BeforeAll
  static void importClasses() {
    classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.meshguard");
  }

  @Test
  void jwtDependsOnNothingOfOurs() {
    noClasses()
        .that()
        .resideInAPackage("dev.meshguard.jwt..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "dev.meshguard.policy..", "dev.meshguard.engine..", "dev.meshguard.jwks..")
        .check(classes);
  }

  @Test
  void policyDependsOnNothingOfOurs() {
    noClasses()
        .that()
        .resideInAPackage("dev.meshguard.policy..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("dev.meshguard.jwt..", "dev.meshguard.engine..", "dev.meshguard.jwks..")
        .check(classes);
  }

  @Test
  void jwksDoesNotDependOnTheEngine() {
    noClasses()
        .that()
        .resideInAPackage("dev.meshguard.jwks..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.meshguard.engine..")
        .check(classes);
  }

  @Test
  void matchersAreLeaves() {
    noClasses()
        .that()
        .resideInAPackage("dev.meshguard.engine.match..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "dev.meshguard.engine.authn..", "dev.meshguard.engine.authz..", "dev.meshguard.jwt..")
        .check(classes);
  }

  @Test
  void configurationSourcesSitAboveTheEngine() {
    noClasses()
        .that()
        .resideInAnyPackage(
            "dev.meshguard.policy..",
            "dev.meshguard.jwt..",
            "dev.meshguard.jwks..",
            "dev.meshguard.engine..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.meshguard.source..")
        .check(classes);
  }
}
