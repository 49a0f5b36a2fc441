package dev.meshguard.cli.replay;

import dev.meshguard.engine.Decision;

/** A request whose answer changed from allowed to denied or back. */
public record Flip(CapturedRequest request, Decision now) {
  public boolean nowDenied() {
    return !now.allowed();
  }

  /**
   * What the flip is grouped under: for a new denial, what denies now (the policy and rule, or the
   * JWT step's text); for a new allowance, what denied before and what allows now.
   */
  public String group() {
    if (nowDenied()) {
      return "now " + now.status() + ": " + now.reason();
    }
    CapturedRequest.Recorded before = request.decision();
    return "was " + before.status() + ": " + before.reason() + "; now: " + now.reason();
  }

  /**
   * The policy the group is about: the one deciding now; for a new allowance without one, the one
   * that denied before; null for the JWT step.
   */
  public String policy() {
    if (now.policy() != null || nowDenied()) {
      return now.policy();
    }
    return request.decision().policy();
  }
}
