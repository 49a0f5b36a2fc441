package dev.meshguard.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The Kubernetes client stays behind one door: only {@link KubeSources} names meshguard-kube or
 * fabric8, so commands without `--kube` never load them (`KubeClassLoadingIT` checks the running
 * jar), and the rest of the command line sees only the {@code ConfigSource} seam.
 */
class KubeBoundaryTest {
  private static final JavaClasses CLI =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("dev.meshguard.cli", "dev.meshguard.proxy", "dev.meshguard.extauthz");

  @Test
  void onlyKubeSourcesNamesTheKubernetesClient() {
    noClasses()
        .that()
        .doNotHaveFullyQualifiedName(KubeSources.class.getName())
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.fabric8..", "dev.meshguard.kube..")
        .check(CLI);
  }
}
