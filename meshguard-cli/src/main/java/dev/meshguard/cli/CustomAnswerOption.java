package dev.meshguard.cli;

import dev.meshguard.engine.CustomAnswer;
import dev.meshguard.engine.CustomAnswers;
import java.util.List;

/**
 * `check --custom-answer allow|deny[:STATUS]`: what the ext_authz provider of a matching CUSTOM
 * policy would answer, for deciding offline. A denial carries the status (403 unless given) and no
 * body, as Envoy relays a provider's bare denial.
 */
final class CustomAnswerOption {
  private CustomAnswerOption() {}

  /**
   * @throws IllegalArgumentException when {@code value} is not `allow`, `deny` or `deny:STATUS`
   */
  static CustomAnswers parse(String value) {
    if (value == null) {
      return CustomAnswers.NONE;
    }
    if (value.equals("allow")) {
      return CustomAnswers.always(CustomAnswer.allow(List.of(), "--custom-answer allow"));
    }
    if (value.equals("deny")) {
      return CustomAnswers.always(CustomAnswer.deny(403, "", List.of(), "--custom-answer deny"));
    }
    if (value.startsWith("deny:")) {
      int status;
      try {
        status = Integer.parseInt(value.substring("deny:".length()));
      } catch (NumberFormatException e) {
        status = -1;
      }
      // Envoy takes any status but 200 from an HTTP authorizer as its denial
      if (status < 100 || status > 599 || status == 200) {
        throw new IllegalArgumentException(
            "--custom-answer `" + value + "`: the status must be 100 to 599 and not 200");
      }
      return CustomAnswers.always(
          CustomAnswer.deny(status, "", List.of(), "--custom-answer " + value));
    }
    throw new IllegalArgumentException(
        "--custom-answer `" + value + "` is not one of allow, deny, deny:STATUS");
  }
}
