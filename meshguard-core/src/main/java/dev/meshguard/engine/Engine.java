package dev.meshguard.engine;

import dev.meshguard.engine.authn.AuthnResult;
import dev.meshguard.engine.authn.KeysPending;
import dev.meshguard.engine.authz.AuthzRequest;
import dev.meshguard.engine.authz.AuthzResult;
import dev.meshguard.engine.authz.ShadowResult;
import dev.meshguard.engine.match.NormalizedPath;
import dev.meshguard.engine.match.PathNormalizer;
import dev.meshguard.jwt.JwksSource;
import dev.meshguard.jwt.JwtStatus;
import dev.meshguard.policy.AuthorizationPolicy.Action;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Predicate;

/**
 * The one place where requests are decided. Every front end gets its answers from {@link #attempt}:
 * `check` through {@link #decide} or {@link #explain} (which may wait on its thread for a key
 * fetch), `serve` and `extauthz` through {@link #decideAsync} (which never holds a thread while a
 * fetch is in flight).
 *
 * <p>Deciding builds no explanation: the steps write their {@link Trace} lines only when the caller
 * asked for them ({@link #explain}). Explaining runs the same steps with the same matchers, except
 * that authorization walks every rule (to say why each did or did not match) instead of looking
 * rules up in its index; the conformance and property tests hold both to the same answers.
 */
public final class Engine {
  /** Envoy's RBAC denial body. */
  public static final String RBAC_DENIED_BODY = "RBAC: access denied";

  private static final int MAX_REALM_PATH = 256;

  private static final Predicate<JwksSource> MAY_WAIT_FOR_ANY = source -> true;

  private Engine() {}

  /**
   * Decides one request against a snapshot, waiting on this thread (at most each rule's timeout)
   * when keys are being fetched: for one-shot callers. No external authorizer is asked (a CUSTOM
   * match denies). Never throws: an internal error denies.
   */
  public static Decision decide(PolicySnapshot snapshot, CheckRequest request, Clock clock) {
    return decide(snapshot, request, clock, CustomAnswers.NONE);
  }

  /**
   * As {@link #decide(PolicySnapshot, CheckRequest, Clock)}, with the answers of the external
   * authorizers that {@link #customCheck} said must be asked.
   */
  public static Decision decide(
      PolicySnapshot snapshot, CheckRequest request, Clock clock, CustomAnswers answers) {
    return KeyWaits.blocking(snapshot, request, clock, answers, false);
  }

  /**
   * As {@link #decide(PolicySnapshot, CheckRequest, Clock)}, asking {@code authorizer} on this
   * thread first when a CUSTOM rule hands the request to an external authorizer (`check`).
   */
  public static Decision decide(
      PolicySnapshot snapshot, CheckRequest request, Clock clock, CustomAuthorizer authorizer) {
    return decide(snapshot, request, clock, askBlocking(authorizer, snapshot, request));
  }

  /** {@link #explain(PolicySnapshot, CheckRequest, Clock)}, asking {@code authorizer} first. */
  public static Decision explain(
      PolicySnapshot snapshot, CheckRequest request, Clock clock, CustomAuthorizer authorizer) {
    return explain(snapshot, request, clock, askBlocking(authorizer, snapshot, request));
  }

  /**
   * The answers {@code authorizer} gives for this request, asked on this thread (waiting at most
   * about twice the provider's timeout); no answers when no CUSTOM rule hands the request over.
   */
  public static CustomAnswers askBlocking(
      CustomAuthorizer authorizer, PolicySnapshot snapshot, CheckRequest request) {
    return KeyWaits.askBlocking(authorizer, snapshot, request);
  }

  /**
   * {@link #decide}, with the explanation ({@link Decision#trace()}): every step, every policy and
   * rule considered and why it matched or not. Slower (every rule is evaluated): for `check
   * --explain` and debugging, not for serving.
   */
  public static Decision explain(PolicySnapshot snapshot, CheckRequest request, Clock clock) {
    return explain(snapshot, request, clock, CustomAnswers.NONE);
  }

  /** {@link #explain(PolicySnapshot, CheckRequest, Clock)} with external authorizers' answers. */
  public static Decision explain(
      PolicySnapshot snapshot, CheckRequest request, Clock clock, CustomAnswers answers) {
    return KeyWaits.blocking(snapshot, request, clock, answers, true);
  }

  /**
   * Decides one request without blocking: decisions that need no key fetch complete before this
   * returns, on this thread; one that waits for a fetch holds no thread meanwhile and is decided
   * again on {@code resume} when the fetch ends or the rule's timeout passes. Cancelling the future
   * stops the wait. Never completes exceptionally (an internal error denies).
   */
  public static CompletableFuture<Decision> decideAsync(
      PolicySnapshot snapshot, CheckRequest request, Clock clock, Executor resume) {
    return KeyWaits.async(snapshot, request, clock, resume, false, CustomAuthorizer.NONE);
  }

  /**
   * {@link #decideAsync(PolicySnapshot, CheckRequest, Clock, Executor)}, asking {@code authorizer}
   * first when a CUSTOM rule hands the request to an external authorizer (Envoy's order: ext_authz,
   * then JWT, DENY, ALLOW). No thread is held while the provider answers; the decision is made on
   * {@code resume} with its answer. Cancelling the future cancels the call.
   */
  public static CompletableFuture<Decision> decideAsync(
      PolicySnapshot snapshot,
      CheckRequest request,
      Clock clock,
      Executor resume,
      CustomAuthorizer authorizer) {
    return KeyWaits.async(snapshot, request, clock, resume, false, authorizer);
  }

  /** {@link #decideAsync}, with the explanation (see {@link #explain}): for debugging. */
  public static CompletableFuture<Decision> explainAsync(
      PolicySnapshot snapshot, CheckRequest request, Clock clock, Executor resume) {
    return KeyWaits.async(snapshot, request, clock, resume, true, CustomAuthorizer.NONE);
  }

  /** One try at deciding without waiting, with no external authorizer asked. */
  public static Attempt attempt(
      PolicySnapshot snapshot, CheckRequest request, Clock clock, Set<JwksSource> waited) {
    return attempt(snapshot, request, clock, waited, CustomAnswers.NONE, false);
  }

  /**
   * One try at deciding without waiting. Never blocks and never throws (an internal error denies).
   *
   * @param waited sources (compared by identity) this request already waited for: their keys are
   *     taken as they are, any other source whose fetch is pending makes the attempt wait
   */
  public static Attempt attempt(
      PolicySnapshot snapshot,
      CheckRequest request,
      Clock clock,
      Set<JwksSource> waited,
      CustomAnswers answers) {
    return attempt(snapshot, request, clock, waited, answers, false);
  }

  /** {@link #attempt}, explaining the decision when {@code explain}. */
  public static Attempt attempt(
      PolicySnapshot snapshot,
      CheckRequest request,
      Clock clock,
      Set<JwksSource> waited,
      CustomAnswers answers,
      boolean explain) {
    Predicate<JwksSource> mayWait = waited.isEmpty() ? MAY_WAIT_FOR_ANY : s -> !waited.contains(s);
    Trace trace = explain ? Trace.recording() : Trace.OFF;
    try {
      Decision decision = decideOrThrow(snapshot, request, clock, mayWait, answers, trace);
      return Attempt.decided(explain ? decision.withTrace(trace.lines()) : decision);
    } catch (KeysPending pending) {
      return Attempt.waitFor(pending.source(), pending.fetch());
    } catch (RuntimeException | StackOverflowError e) {
      return Attempt.decided(internalError(e));
    }
  }

  private static Decision internalError(Throwable e) {
    String reason = "internal error while deciding: " + e.getClass().getSimpleName();
    return new Decision(
        403,
        false,
        Decision.Outcome.DENIED_AUTHORIZATION,
        reason,
        null,
        null,
        JwtStatus.JWT_MISSED,
        RBAC_DENIED_BODY,
        List.of(),
        null,
        List.of("error: " + e));
  }

  /**
   * Whether a CUSTOM policy hands this request to an external authorizer, and to which: what a
   * front end asks before {@link #decide(PolicySnapshot, CheckRequest, Clock, CustomAnswers)}. Null
   * when no CUSTOM rule matches, or the request is refused before the CUSTOM step.
   */
  public static CustomCheck customCheck(PolicySnapshot snapshot, CheckRequest request) {
    try {
      if (snapshot.authorizer().policies(Action.CUSTOM).isEmpty()) {
        return null;
      }
      NormalizedPath normalized =
          PathNormalizer.normalize(request.rawPath(), snapshot.mesh().pathNormalization());
      if (!normalized.valid()) {
        return null;
      }
      String upstreamPath =
          normalized.query() == null
              ? normalized.path()
              : normalized.path() + "?" + normalized.query();
      AuthzResult custom =
          snapshot
              .authorizer()
              .checkCustom(
                  authzRequest(
                      request,
                      normalized.path(),
                      upstreamPath,
                      new HeaderWorkingSet(request.headers()),
                      null),
                  Trace.OFF);
      if (custom == null) {
        return null;
      }
      CustomCheck check = customCheckOf(snapshot, custom, upstreamPath);
      // without a provider nobody is asked: the CUSTOM step denies
      return check.provider() == null ? null : check;
    } catch (RuntimeException | StackOverflowError e) {
      // decide() meets the same error and denies
      return null;
    }
  }

  private static CustomCheck customCheckOf(
      PolicySnapshot snapshot, AuthzResult custom, String path) {
    String name = snapshot.authorizer().customProvider(custom.policy());
    ExtensionProvider provider = snapshot.mesh().extensionProviders().get(name);
    ExtAuthzProvider authz = provider == null ? null : provider.extAuthz();
    return new CustomCheck(
        custom.policy(),
        name,
        authz,
        path,
        authz == null ? null : snapshot.providerRoute(authz.name()));
  }

  private static Decision decideOrThrow(
      PolicySnapshot snapshot,
      CheckRequest request,
      Clock clock,
      Predicate<JwksSource> mayWait,
      CustomAnswers answers,
      Trace trace) {
    NormalizedPath normalized =
        PathNormalizer.normalize(request.rawPath(), snapshot.mesh().pathNormalization());
    if (!normalized.valid()) {
      if (trace.on()) {
        trace.add("path: `" + request.rawPath() + "` rejected: " + normalized.invalidReason());
      }
      // 400 from the codec, or 404 (empty body) from the connection manager for `*` and other
      // targets that are not a relative path
      boolean notFound = normalized.rejectStatus() == 404;
      return denied(
          normalized.rejectStatus(),
          Decision.Outcome.BAD_REQUEST,
          "bad request: " + normalized.invalidReason(),
          null,
          null,
          JwtStatus.JWT_MISSED,
          notFound ? "" : "Bad Request",
          List.of());
    }
    if (trace.on()) {
      trace.add(
          "path: `"
              + request.rawPath()
              + "` normalized ("
              + snapshot.mesh().pathNormalization()
              + ") to `"
              + normalized.path()
              + "`"
              + (normalized.query() == null ? "" : " with query `" + normalized.query() + "`"));
    }
    String upstreamPath =
        normalized.query() == null
            ? normalized.path()
            : normalized.path() + "?" + normalized.query();
    String query = normalized.query();

    HeaderWorkingSet headers = new HeaderWorkingSet(request.headers());
    AuthzRequest unauthenticated =
        authzRequest(request, normalized.path(), upstreamPath, headers, null);
    AuthzResult custom = snapshot.authorizer().checkCustom(unauthenticated, trace);
    // an allowing provider's headers for the client, on whatever response the request gets
    List<Map.Entry<String, String>> customResponseHeaders = List.of();
    if (custom != null) {
      CustomCheck check = customCheckOf(snapshot, custom, upstreamPath);
      Decision denied = CustomStep.apply(check, custom, answers, headers, trace);
      if (denied != null) {
        return denied;
      }
      customResponseHeaders = CustomStep.responseHeadersOnAllow(check, answers);
      // the filters after ext_authz (jwt_authn, RBAC) and the upstream see the query it changed
      String rewritten = CustomStep.pathAfter(check, answers, upstreamPath);
      if (!rewritten.equals(upstreamPath)) {
        if (trace.on()) {
          trace.add("authz: the provider's answer changed the query: `" + rewritten + "`");
        }
        upstreamPath = rewritten;
        int q = rewritten.indexOf('?');
        query = q < 0 ? null : rewritten.substring(q + 1);
      }
    }

    AuthnResult authn =
        snapshot
            .authenticator()
            .authenticate(
                request.method(), headers, query, clock.instant().getEpochSecond(), mayWait, trace);
    if (authn.status() != JwtStatus.OK) {
      JwtStatus status = authn.status();
      String realm = realm(request, upstreamPath);
      // Envoy leaves out `error=` for a missing token (only a REQUIRED rule rejects one).
      String challenge =
          "Bearer realm=\""
              + realm
              + "\""
              + (status == JwtStatus.JWT_MISSED ? "" : ", error=\"invalid_token\"");
      List<Map.Entry<String, String>> responseHeaders =
          plus(List.of(Map.entry("www-authenticate", challenge)), customResponseHeaders);
      return denied(
          status.httpStatus(),
          Decision.Outcome.DENIED_AUTHENTICATION,
          status.message(),
          null,
          null,
          status,
          status.message(),
          responseHeaders);
    }
    JwtStatus jwtStatus = authn.authenticated() ? JwtStatus.OK : JwtStatus.JWT_MISSED;

    AuthzRequest authzRequest =
        authzRequest(request, normalized.path(), upstreamPath, headers, authn.claims());
    AuthzResult authz = snapshot.authorizer().authorize(authzRequest, trace);
    ShadowResult shadow = authz.shadow();
    if (shadow != null && trace.on()) {
      trace.add(
          "authz: dry-run verdict: "
              + ShadowResult.ENGINE_RESULT
              + "="
              + shadow.engineResult()
              + (shadow.effectivePolicyId() == null
                  ? ""
                  : ", " + ShadowResult.EFFECTIVE_POLICY_ID + "=" + shadow.effectivePolicyId()));
    }
    if (!authz.allowed()) {
      if (trace.on()) {
        trace.add("decision: 403 " + RBAC_DENIED_BODY + ": " + authz.reason());
      }
      return new Decision(
          403,
          false,
          Decision.Outcome.DENIED_AUTHORIZATION,
          null,
          authz,
          authz.policy(),
          authz.rule(),
          authn.principal(),
          jwtStatus,
          RBAC_DENIED_BODY,
          customResponseHeaders,
          null,
          List.of(),
          shadow,
          authn.claims());
    }
    if (trace.on()) {
      trace.add("decision: 200 allowed: " + authz.reason());
    }
    Decision.UpstreamRewrite rewrite =
        new Decision.UpstreamRewrite(upstreamPath, headers.removedNames(), headers.addedHeaders());
    return new Decision(
        200,
        true,
        Decision.Outcome.ALLOWED,
        null,
        authz,
        authz.policy(),
        authz.rule(),
        authn.principal(),
        jwtStatus,
        null,
        customResponseHeaders,
        rewrite,
        List.of(),
        shadow,
        authn.claims());
  }

  private static List<Map.Entry<String, String>> plus(
      List<Map.Entry<String, String>> first, List<Map.Entry<String, String>> then) {
    if (then.isEmpty()) {
      return first;
    }
    List<Map.Entry<String, String>> all = new java.util.ArrayList<>(first);
    all.addAll(then);
    return all;
  }

  /** A denial before authorization, with a fixed reason. */
  private static Decision denied(
      int status,
      Decision.Outcome outcome,
      String reason,
      String policy,
      String principal,
      JwtStatus jwtStatus,
      String body,
      List<Map.Entry<String, String>> responseHeaders) {
    return new Decision(
        status,
        false,
        outcome,
        reason,
        policy,
        principal,
        jwtStatus,
        body,
        responseHeaders,
        null,
        List.of());
  }

  private static AuthzRequest authzRequest(
      CheckRequest request,
      String path,
      String pathWithQuery,
      HeaderWorkingSet headers,
      dev.meshguard.engine.authn.VerifiedClaims claims) {
    String principal = request.sourcePrincipal();
    if (principal != null && principal.startsWith("spiffe://")) {
      principal = principal.substring("spiffe://".length());
    }
    return new AuthzRequest(
        request.method(),
        request.host(),
        path,
        pathWithQuery,
        request.scheme(),
        request.destinationPort(),
        request.sourceIp(),
        request.effectiveRemoteIp(),
        request.destinationIp(),
        request.sni(),
        principal,
        headers.current(),
        claims);
  }

  /** `<scheme>://<host><path>` with the path (query included) cut at 256 characters, as Envoy. */
  private static String realm(CheckRequest request, String path) {
    String p = path.length() > MAX_REALM_PATH ? path.substring(0, MAX_REALM_PATH) : path;
    String host = request.host() == null ? "" : request.host();
    return request.scheme() + "://" + host + p;
  }
}
