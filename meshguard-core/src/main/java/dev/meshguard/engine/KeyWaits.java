package dev.meshguard.engine;

import dev.meshguard.jwt.JwksSource;
import java.time.Clock;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs {@link Engine#attempt} until it decides, waiting for the key fetch it reports between tries:
 * blocking the calling thread (for one-shot callers), or asynchronously, holding no thread while a
 * fetch is in flight (for servers). Both make the same attempts, so both give the same answers.
 */
final class KeyWaits {
  private KeyWaits() {}

  static Decision blocking(
      PolicySnapshot snapshot,
      CheckRequest request,
      Clock clock,
      CustomAnswers answers,
      boolean explain) {
    Set<JwksSource> waited = Set.of(); // most requests wait for nothing: no set made for them
    while (true) {
      Attempt attempt = Engine.attempt(snapshot, request, clock, waited, answers, explain);
      if (attempt.isDecided()) {
        return attempt.decision();
      }
      waited = plus(waited, attempt.source());
      CompletableFuture<Void> wait;
      try {
        wait = attempt.fetch().await();
      } catch (RuntimeException e) {
        continue; // cannot wait: decide with what there is
      }
      try {
        // the wait ends by itself at the rule's timeout; the bound here only guards a broken timer
        wait.get(attempt.fetch().timeout().toNanos() * 2 + 1, TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt(); // give up waiting; the keys are taken as they are
      } catch (ExecutionException | TimeoutException | CancellationException e) {
        // the same: decide with what there is
      } finally {
        wait.cancel(false);
      }
    }
  }

  static CompletableFuture<Decision> async(
      PolicySnapshot snapshot,
      CheckRequest request,
      Clock clock,
      Executor resume,
      boolean explain,
      CustomAuthorizer authorizer) {
    CompletableFuture<Decision> result = new CompletableFuture<>();
    CustomCheck check =
        authorizer == CustomAuthorizer.NONE ? null : Engine.customCheck(snapshot, request);
    if (check == null) {
      step(snapshot, request, clock, resume, explain, CustomAnswers.NONE, Set.of(), result);
      return result;
    }
    // Envoy's ext_authz filter runs before jwt_authn and RBAC: ask first, decide with the answer
    CompletableFuture<CustomAnswer> asked = ask(authorizer, check, request);
    result.whenComplete((d, e) -> asked.cancel(false));
    asked.whenComplete(
        (answer, e) -> {
          CustomAnswers answers = CustomAnswers.always(answerOrError(check, answer, e));
          Runnable decide =
              () -> step(snapshot, request, clock, resume, explain, answers, Set.of(), result);
          try {
            resume.execute(decide);
          } catch (RejectedExecutionException rejected) {
            decide.run(); // the executor is stopping; deciding never blocks
          }
        });
    return result;
  }

  /**
   * Asks the provider, waiting on this thread (at most twice its timeout): for one-shot callers.
   */
  static CustomAnswers askBlocking(
      CustomAuthorizer authorizer, PolicySnapshot snapshot, CheckRequest request) {
    CustomCheck check = Engine.customCheck(snapshot, request);
    if (check == null) {
      return CustomAnswers.NONE;
    }
    CompletableFuture<CustomAnswer> asked = ask(authorizer, check, request);
    CustomAnswer answer;
    Throwable failure = null;
    try {
      // the client ends the call at the provider's timeout; this bound only guards a broken timer
      answer =
          asked.get(
              check.provider().timeout().toNanos() * 2 + 1_000_000_000L, TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      answer = null;
      failure = e;
    } catch (ExecutionException | TimeoutException | CancellationException e) {
      answer = null;
      failure = e;
    } finally {
      asked.cancel(false);
    }
    return CustomAnswers.always(answerOrError(check, answer, failure));
  }

  private static CompletableFuture<CustomAnswer> ask(
      CustomAuthorizer authorizer, CustomCheck check, CheckRequest request) {
    try {
      CompletableFuture<CustomAnswer> asked = authorizer.ask(check, request);
      return asked == null ? CompletableFuture.completedFuture(null) : asked;
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private static CustomAnswer answerOrError(CustomCheck check, CustomAnswer answer, Throwable e) {
    if (answer != null) {
      return answer;
    }
    String why = e == null ? "no answer" : e.getClass().getSimpleName();
    return CustomAnswer.onError(check.provider(), "ext_authz call failed: " + why);
  }

  // the dependents only cancel a wait or hand the next try to `resume`: nothing to report
  @SuppressWarnings("FutureReturnValueIgnored")
  private static void step(
      PolicySnapshot snapshot,
      CheckRequest request,
      Clock clock,
      Executor resume,
      boolean explain,
      CustomAnswers answers,
      Set<JwksSource> waited,
      CompletableFuture<Decision> result) {
    if (result.isDone()) {
      return; // the caller gave up
    }
    Attempt attempt = Engine.attempt(snapshot, request, clock, waited, answers, explain);
    if (attempt.isDecided()) {
      result.complete(attempt.decision());
      return;
    }
    Set<JwksSource> next = plus(waited, attempt.source());
    CompletableFuture<Void> wait = await(attempt);
    // a caller that gives up (its client went away) stops waiting: the wait leaves the count
    result.whenComplete((d, e) -> wait.cancel(false));
    wait.whenComplete(
        (v, e) -> {
          Runnable again =
              () -> step(snapshot, request, clock, resume, explain, answers, next, result);
          try {
            resume.execute(again);
          } catch (RejectedExecutionException rejected) {
            again.run(); // the executor is stopping; deciding never blocks, so here is as good
          }
        });
  }

  private static CompletableFuture<Void> await(Attempt attempt) {
    try {
      return attempt.fetch().await();
    } catch (RuntimeException e) {
      return CompletableFuture.completedFuture(null); // cannot wait: decide with what there is
    }
  }

  /** A new set (by identity) with {@code waited} and {@code source}. */
  private static Set<JwksSource> plus(Set<JwksSource> waited, JwksSource source) {
    Set<JwksSource> next = Collections.newSetFromMap(new IdentityHashMap<>());
    next.addAll(waited);
    next.add(source);
    return next;
  }
}
