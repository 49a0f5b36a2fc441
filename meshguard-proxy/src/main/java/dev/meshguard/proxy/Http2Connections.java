package dev.meshguard.proxy;

import io.netty.channel.ChannelHandler;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;

/**
 * The HTTP/2 codec of a client connection and its limits, Envoy's protections on Netty's knobs.
 * Envoy's defaults are the reference: 100 concurrent streams (Istio's gateway default), the
 * request-header limit of HTTP/1.1 for the header list, and the flood limits of its
 * `http2_protocol_options` (`max_outbound_control_frames` 1000, rapid-reset and CONTINUATION
 * detection).
 */
final class Http2Connections {
  /** SETTINGS_MAX_CONCURRENT_STREAMS; a HEADERS beyond it is refused with RST_STREAM. */
  static final int MAX_CONCURRENT_STREAMS = 100;

  /**
   * Rapid reset (CVE-2023-44487): more RST_STREAMs than this from the client within {@link
   * #RST_WINDOW_SECONDS} ends the connection with GOAWAY(ENHANCE_YOUR_CALM).
   */
  static final int MAX_RST_PER_WINDOW = 200;

  static final int RST_WINDOW_SECONDS = 30;

  /**
   * Control frames (SETTINGS ACK, PING ACK, RST_STREAM) waiting to be written before the connection
   * is closed: a client that floods SETTINGS or PING and does not read the answers runs into this,
   * as in Envoy (`max_outbound_control_frames`).
   */
  static final int MAX_QUEUED_CONTROL_FRAMES = 1000;

  /** CONTINUATION flood: this many small CONTINUATION frames in a row end the connection. */
  static final int MAX_SMALL_CONTINUATION_FRAMES = 16;

  /** Empty DATA frames in a row (Envoy's `max_consecutive_inbound_frames_with_empty_payload`). */
  static final int MAX_EMPTY_DATA_FRAMES = 1;

  /** How long a GOAWAY waits for the streams in flight before the connection closes anyway. */
  private static final long GRACEFUL_SHUTDOWN_MILLIS = 30_000;

  private Http2Connections() {}

  static Http2FrameCodec frameCodec(ProxyOptions options) {
    Http2Settings settings =
        Http2Settings.defaultSettings()
            .maxConcurrentStreams(MAX_CONCURRENT_STREAMS)
            .maxHeaderListSize(options.maxRequestHeaderBytes());
    return Http2FrameCodecBuilder.forServer()
        .initialSettings(settings)
        .validateHeaders(true)
        .validateRequiredPseudoHeaders(true)
        .decoderEnforceMaxRstFramesPerWindow(MAX_RST_PER_WINDOW, RST_WINDOW_SECONDS)
        .encoderEnforceMaxQueuedControlFrames(MAX_QUEUED_CONTROL_FRAMES)
        .decoderEnforceMaxSmallContinuationFrames(MAX_SMALL_CONTINUATION_FRAMES)
        .decoderEnforceMaxConsecutiveEmptyDataFrames(MAX_EMPTY_DATA_FRAMES)
        .gracefulShutdownTimeoutMillis(GRACEFUL_SHUTDOWN_MILLIS)
        .build();
  }

  static Http2MultiplexHandler multiplexer(ChannelHandler streamInitializer) {
    return new Http2MultiplexHandler(streamInitializer);
  }
}
