package dev.meshguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Every command documents its exit codes and shows an example in --help; --version works. */
class HelpTest {
  private static List<CommandLine> allCommands(CommandLine line) {
    List<CommandLine> out = new ArrayList<>();
    out.add(line);
    for (CommandLine sub : line.getSubcommands().values()) {
      out.addAll(allCommands(sub));
    }
    return out;
  }

  @Test
  void everyCommandHasAnExampleAndItsExitCodes() {
    List<CommandLine> commands = allCommands(new CommandLine(new Main()));
    assertThat(commands).hasSizeGreaterThan(12);
    for (CommandLine c : commands) {
      String name = c.getCommandSpec().qualifiedName();
      String[] args = (name.substring("meshguard".length()).trim() + " --help").trim().split(" ");
      Cli.Result help = Cli.run(args);
      assertThat(help.exitCode()).as(name).isZero();
      assertThat(help.out()).as(name).contains("Example:").contains("  meshguard ");
      assertThat(help.out()).as(name).containsPattern("(?i)exit codes?");
    }
  }

  @Test
  void versionNamesTheBuildAndTheRuntime() {
    Cli.Result r = Cli.run("--version");
    assertThat(r.exitCode()).isZero();
    assertThat(r.out())
        .startsWith("meshguard ")
        .contains("commit: ")
        .contains("built: ")
        .contains("java: ");
  }

  @Test
  void checkTakesOutputJsonLikeJson() throws Exception {
    String[] base = {
      "check",
      "--config",
      PolicyTestCommandTest.DEMO_POLICIES.toString(),
      "--namespace",
      "istio-system",
      "--labels",
      "app=istio-ingressgateway",
      "--path",
      "/api/v1/products/0"
    };
    List<String> withJson = new ArrayList<>(List.of(base));
    withJson.add("--json");
    List<String> withO = new ArrayList<>(List.of(base));
    withO.addAll(List.of("-o", "json"));
    Cli.Result a = Cli.run(withJson.toArray(String[]::new));
    Cli.Result b = Cli.run(withO.toArray(String[]::new));
    assertThat(a.exitCode()).isEqualTo(1);
    assertThat(b.exitCode()).isEqualTo(1);
    assertThat(b.out()).isEqualTo(a.out()).startsWith("{\"status\":403,");
  }
}
