package dev.meshguard.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * Which module may use which transport or framework, checked where every module's classes are on
 * the class path (meshguard-cli depends on all of them): Netty only in the proxy, gRPC only in
 * extauthz, picocli only in the command line, the Kubernetes client only in kube; the runtime that
 * every front end shares uses none of them and knows no front end.
 */
class ModuleBoundariesTest {
  private static final JavaClasses ALL =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .withImportOption(location -> !location.contains("-tests.jar"))
          .importPackages("dev.meshguard");

  @Test
  void theClassesOfEveryModuleAreSeen() {
    for (String c :
        new String[] {
          "dev.meshguard.engine.Engine",
          "dev.meshguard.runtime.MeshguardRuntime",
          "dev.meshguard.proxy.Gateway",
          "dev.meshguard.extauthz.ExtAuthzServer",
          "dev.meshguard.kube.KubeConfigSource",
          "dev.meshguard.cli.Main"
        }) {
      if (!ALL.contain(c)) {
        throw new AssertionError("not imported, so no rule below would see it: " + c);
      }
    }
  }

  @Test
  void nettyOnlyInTheProxy() {
    noClasses()
        .that()
        .resideOutsideOfPackage("dev.meshguard.proxy..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.netty..")
        .check(ALL);
  }

  @Test
  void grpcOnlyInExtAuthz() {
    noClasses()
        .that()
        .resideOutsideOfPackage("dev.meshguard.extauthz..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.grpc..", "io.envoyproxy..")
        .check(ALL);
  }

  @Test
  void picocliOnlyInTheCommandLine() {
    noClasses()
        .that()
        .resideOutsideOfPackage("dev.meshguard.cli..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("picocli..")
        .check(ALL);
  }

  @Test
  void theKubernetesClientOnlyInKube() {
    noClasses()
        .that()
        .resideOutsideOfPackage("dev.meshguard.kube..")
        // the one door of the command line (KubeBoundaryTest)
        .and()
        .doNotHaveFullyQualifiedName(KubeSources.class.getName())
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.fabric8..")
        .check(ALL);
  }

  @Test
  void theRuntimeKnowsNoFrontEnd() {
    noClasses()
        .that()
        .resideInAPackage("dev.meshguard.runtime..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "dev.meshguard.proxy..",
            "dev.meshguard.extauthz..",
            "dev.meshguard.kube..",
            "dev.meshguard.cli..")
        .check(ALL);
  }

  @Test
  void extAuthzAndProxyDoNotKnowEachOther() {
    noClasses()
        .that()
        .resideInAPackage("dev.meshguard.extauthz..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.meshguard.proxy..")
        .check(ALL);
    noClasses()
        .that()
        .resideInAPackage("dev.meshguard.proxy..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.meshguard.extauthz..")
        .check(ALL);
  }

  @Test
  void theCoreKnowsNoOtherModule() {
    noClasses()
        .that()
        .resideInAnyPackage(
            "dev.meshguard.engine..",
            "dev.meshguard.jwt..",
            "dev.meshguard.jwks..",
            "dev.meshguard.policy..",
            "dev.meshguard.source..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "dev.meshguard.runtime..",
            "dev.meshguard.proxy..",
            "dev.meshguard.extauthz..",
            "dev.meshguard.kube..",
            "dev.meshguard.cli..")
        .check(ALL);
  }
}
