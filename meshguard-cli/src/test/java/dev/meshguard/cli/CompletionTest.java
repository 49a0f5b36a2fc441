package dev.meshguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `meshguard completion`: the script completes commands, subcommands and options in a real bash,
 * and in a real interactive zsh (driven through zsh's pty module). Each shell's part is skipped
 * only when that shell is not installed.
 */
class CompletionTest {
  @TempDir Path dir;

  private Path script(String shell) throws IOException {
    Cli.Result r = Cli.run("completion", shell);
    assertThat(r.exitCode()).as(r.toString()).isZero();
    Path script = dir.resolve("meshguard-" + shell + ".sh");
    Files.writeString(script, r.out());
    return script;
  }

  private static String run(List<String> command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("shell did not finish: " + out);
    }
    return out;
  }

  private static boolean installed(String shell) {
    try {
      return new ProcessBuilder(shell, "-c", "exit 0").start().waitFor() == 0;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  /** What bash offers for the words typed so far (the last one being completed). */
  private static String bashCompletes(Path script, String... words) throws Exception {
    String line = String.join(" ", words);
    StringBuilder array = new StringBuilder();
    for (String w : words) {
      array.append('"').append(w).append("\" ");
    }
    String code =
        "source "
            + script
            + " 2>/dev/null; COMP_WORDS=("
            + array
            + "); COMP_CWORD="
            + (words.length - 1)
            + "; COMP_LINE=\""
            + line
            + "\"; COMP_POINT=${#COMP_LINE}; _complete_meshguard 2>/dev/null;"
            + " echo \"[${COMPREPLY[*]}]\"";
    return run(List.of("bash", "-c", code)).strip();
  }

  @Test
  void bashCompletesCommandsSubcommandsAndOptions() throws Exception {
    Assumptions.assumeTrue(installed("bash"), "bash is not installed");
    Path script = script("bash");
    assertThat(bashCompletes(script, "meshguard", "to")).isEqualTo("[token]");
    assertThat(bashCompletes(script, "meshguard", "re")).isEqualTo("[replay]");
    assertThat(bashCompletes(script, "meshguard", "token", "ke")).isEqualTo("[keygen]");
    assertThat(bashCompletes(script, "meshguard", "validate", "--fa"))
        .isEqualTo("[--failure-threshold]");
    assertThat(bashCompletes(script, "meshguard", "check", "--ex")).isEqualTo("[--explain]");
  }

  @Test
  void zshCompletesThroughBashcompinit() throws Exception {
    Assumptions.assumeTrue(installed("zsh"), "zsh is not installed");
    Path script = script("zsh");
    Path home = Files.createDirectories(dir.resolve("zdot"));
    Files.writeString(
        home.resolve(".zshrc"), "PS1='READY> '\nmeshguard() { :; }\nsource " + script + "\n");
    Path driver = dir.resolve("drive.zsh");
    // types `meshguard tok<TAB>` and ` si<TAB>` into an interactive zsh and waits for the words
    Files.writeString(
        driver,
        """
        zmodload zsh/zpty
        zpty -b z "ZDOTDIR=$1 zsh -i"
        zpty -r z out '*READY*'
        zpty -w -n z $'meshguard tok\\t'
        zpty -r z out '*token*' && print COMPLETED-TOKEN
        zpty -w -n z $'si\\t'
        zpty -r z out '*sign*' && print COMPLETED-SIGN
        zpty -d z
        """);
    String out = run(List.of("timeout", "50", "zsh", driver.toString(), home.toString()));
    assertThat(out).contains("COMPLETED-TOKEN", "COMPLETED-SIGN");
  }
}
