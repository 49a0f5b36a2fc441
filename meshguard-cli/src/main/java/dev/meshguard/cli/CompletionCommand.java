package dev.meshguard.cli;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** `meshguard completion bash|zsh`: the shell completion script (picocli's AutoComplete). */
@Command(
    name = "completion",
    mixinStandardHelpOptions = true,
    description = {
      "Prints a completion script for commands, subcommands and options.",
      "bash: add `source <(meshguard completion bash)` to ~/.bashrc;"
          + " zsh: add `source <(meshguard completion zsh)` to ~/.zshrc (it loads bashcompinit).",
      "Exit code: 0 printed, 2 usage error."
    },
    footer = {
      "",
      "Example:",
      "  source <(meshguard completion bash)",
      "  meshguard completion bash > /etc/bash_completion.d/meshguard"
    })
public final class CompletionCommand implements Callable<Integer> {
  /** The shells the script supports. */
  enum Shell {
    bash,
    zsh
  }

  @Parameters(paramLabel = "bash|zsh", description = "the shell (default: bash)", arity = "0..1")
  Shell shell = Shell.bash;

  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    // One script serves both shells: under zsh it enables bashcompinit itself.
    String script = AutoComplete.bash("meshguard", spec.root().commandLine());
    spec.commandLine().getOut().print(script);
    spec.commandLine().getOut().flush();
    return 0;
  }
}
