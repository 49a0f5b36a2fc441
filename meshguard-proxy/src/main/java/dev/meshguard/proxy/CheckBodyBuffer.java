package dev.meshguard.proxy;

import dev.meshguard.engine.CheckRequest;
import dev.meshguard.engine.CustomCheck;
import dev.meshguard.engine.Engine;
import dev.meshguard.engine.ExtAuthzProvider;
import dev.meshguard.engine.PolicySnapshot;
import dev.meshguard.runtime.custom.ProviderCall;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import java.util.Arrays;

/**
 * The start of a request body, kept for a CUSTOM provider that wants it
 * (`includeRequestBodyInCheck`), as Envoy's ext_authz filter buffers it (`with_request_body`): the
 * check waits until the body ended or `maxRequestBytes` arrived; a longer body is refused with 413
 * unless `allowPartialMessage`, then its first `maxRequestBytes` go with `partial`. Only a copy of
 * those bytes is kept here: the body parts themselves wait in the exchange and go upstream
 * unchanged once the request is allowed.
 */
final class CheckBodyBuffer {
  /** Envoy's 413 body (the connection manager's answer to a request above the buffer limit). */
  static final String TOO_LARGE_BODY = "Payload Too Large";

  enum State {
    /** More of the body is needed before the provider can be asked. */
    COLLECTING,
    /** The body ended, or `maxRequestBytes` of it arrived with `allowPartialMessage`. */
    READY,
    /** The body passed `maxRequestBytes` without `allowPartialMessage`: 413. */
    TOO_LARGE
  }

  private final String providerName;
  private final int max;
  private final boolean allowPartial;
  private byte[] bytes = new byte[0];
  private int kept;
  private long received;
  private State state = State.COLLECTING;

  CheckBodyBuffer(String providerName, ExtAuthzProvider.RequestBody settings) {
    this.providerName = providerName;
    this.max = settings.maxRequestBytes();
    this.allowPartial = settings.allowPartialMessage();
  }

  /**
   * A buffer when the request has a body and the CUSTOM provider its policies send it to wants it;
   * otherwise null, and the body streams. Cheap (one field read) unless some CUSTOM provider of the
   * configuration in force wants bodies.
   *
   * @param chunked the request came with `Transfer-Encoding: chunked` (HTTP/1.1; read before the
   *     hop-by-hop headers were removed)
   * @param requestComplete the request's end was already read (HTTP/2 HEADERS with END_STREAM)
   */
  static CheckBodyBuffer forRequest(
      PolicySnapshot snapshot,
      CheckRequest check,
      HttpRequest request,
      boolean chunked,
      boolean requestComplete,
      boolean http2,
      boolean upgrade) {
    if (!snapshot.customChecksMayCarryBody()
        || requestComplete
        || upgrade
        || !(http2 || chunked || HttpUtil.getContentLength(request, 0L) > 0)) {
      // Envoy buffers nothing for a request that ended with its headers (HTTP/1.1: neither chunked
      // nor a length above 0), nor for an upgrade
      return null;
    }
    CustomCheck custom = Engine.customCheck(snapshot, check);
    if (custom == null || custom.provider() == null || custom.provider().requestBody() == null) {
      return null;
    }
    return new CheckBodyBuffer(custom.providerName(), custom.provider().requestBody());
  }

  State state() {
    return state;
  }

  boolean collecting() {
    return state == State.COLLECTING;
  }

  String providerName() {
    return providerName;
  }

  /** Takes note of one body part (which the caller keeps); says whether the check can go. */
  State add(HttpContent content, boolean last) {
    if (state != State.COLLECTING) {
      return state;
    }
    ByteBuf buf = content.content();
    int n = buf.readableBytes();
    received += n;
    int copy = (int) Math.min(n, (long) max - kept);
    if (copy > 0) {
      if (kept + copy > bytes.length) {
        bytes = Arrays.copyOf(bytes, Math.min(max, Math.max(kept + copy, bytes.length * 2)));
      }
      buf.getBytes(buf.readerIndex(), bytes, kept, copy);
      kept += copy;
    }
    if (received > max && !allowPartial) {
      state = State.TOO_LARGE; // Envoy's decoder buffer limit is maxRequestBytes: above it, 413
    } else if (last || (allowPartial && received >= max)) {
      state = State.READY;
    }
    return state;
  }

  /** The body for the check: at most `maxRequestBytes`, partial when more of it arrived. */
  ProviderCall.RequestBody body() {
    return new ProviderCall.RequestBody(Arrays.copyOf(bytes, kept), received > kept);
  }
}
