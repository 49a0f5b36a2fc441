package dev.meshguard.cli.policytest;

import java.util.List;

/**
 * The results of one test file, or why it could not run.
 *
 * @param broken the message when the file itself is broken (exit 2), else null
 */
public record FileResult(String file, List<CaseResult> cases, String broken) {
  public FileResult {
    cases = List.copyOf(cases);
  }

  public long passed() {
    return cases.stream().filter(CaseResult::passed).count();
  }

  public long failed() {
    return cases.size() - passed();
  }
}
