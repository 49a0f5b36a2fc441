package dev.meshguard.engine;

/**
 * The external authorizers' answers for one request, known before the engine decides: a front end
 * asks {@link Engine#customCheck} whether a provider must be asked, asks it, and decides with the
 * answer. Null means nobody answered, and the CUSTOM step denies (fail closed).
 */
@FunctionalInterface
public interface CustomAnswers {
  /** No provider was asked. */
  CustomAnswers NONE = check -> null;

  CustomAnswer answer(CustomCheck check);

  /** The same answer for whichever provider is asked (`check --custom-answer`). */
  static CustomAnswers always(CustomAnswer answer) {
    return check -> answer;
  }
}
