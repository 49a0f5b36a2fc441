package dev.meshguard.kube;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * What meshguard-kube shows the rest of meshguard is small: the source and its settings. Everything
 * else (informers, documents, events, debounce) stays package-private, so a later runtime module
 * only ever meets the {@code ConfigSource} seam.
 */
class KubeModuleBoundaryTest {
  private static final JavaClasses KUBE =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("dev.meshguard.kube");

  @Test
  void onlyTheSourceAndItsSettingsArePublic() {
    classes()
        .that()
        .arePublic()
        .and()
        .areTopLevelClasses()
        .should()
        .haveSimpleNameStartingWith("Kube")
        .orShould()
        .haveSimpleName("NamespaceScope")
        .check(KUBE);
  }

  @Test
  void theSourceReachesTheRestOfMeshguardOnlyThroughCore() {
    classes()
        .that()
        .resideInAPackage("dev.meshguard.kube..")
        .should()
        .onlyDependOnClassesThat()
        .resideInAnyPackage(
            "dev.meshguard.kube..",
            "dev.meshguard.source..",
            "dev.meshguard.policy..",
            "dev.meshguard.engine..",
            "io.fabric8..",
            "com.fasterxml.jackson..",
            "java..")
        .check(KUBE);
  }
}
