package dev.meshguard.cli.policytest;

import java.util.List;

/**
 * The outcome of one case (or of the configuration check of a file).
 *
 * @param mismatches expected/actual pairs; empty when the case passed
 * @param problem why the case could not be decided (configuration errors, a key that cannot sign),
 *     or null
 * @param trace the decision's explanation, shown for failures
 * @param seconds how long it took, for JUnit reports
 */
public record CaseResult(
    String name,
    List<ExpectationCheck.Mismatch> mismatches,
    String problem,
    List<String> trace,
    double seconds) {
  public CaseResult {
    mismatches = List.copyOf(mismatches);
    trace = List.copyOf(trace);
  }

  public boolean passed() {
    return mismatches.isEmpty() && problem == null;
  }

  /** The failure as text: the problem, then a `- expected` / `+ actual` diff, then the trace. */
  public String failureText() {
    StringBuilder out = new StringBuilder();
    if (problem != null) {
      out.append(problem).append('\n');
    }
    if (!mismatches.isEmpty()) {
      out.append("--- expected\n+++ actual\n");
      for (ExpectationCheck.Mismatch m : mismatches) {
        out.append("- ").append(m.expected()).append('\n');
        out.append("+ ").append(m.actual()).append('\n');
      }
    }
    if (!trace.isEmpty()) {
      out.append("explain:\n");
      trace.forEach(line -> out.append("  ").append(line).append('\n'));
    }
    return out.toString();
  }

  /** The first line of the failure, for JUnit's `message`. */
  public String summary() {
    if (problem != null) {
      return problem.lines().findFirst().orElse(problem);
    }
    ExpectationCheck.Mismatch first = mismatches.get(0);
    return "expected " + first.expected() + ", got " + first.actual();
  }
}
