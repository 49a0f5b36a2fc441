package dev.meshguard.proxy.testing;

import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;

/** A JDK WebSocket listener that collects whole messages: text as is, binary as `binary:SIZE`. */
public final class WebSocketMessages implements WebSocket.Listener {
  public final BlockingQueue<String> messages = new LinkedBlockingQueue<>();
  private final StringBuilder text = new StringBuilder();
  private int binary;

  @Override
  public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
    text.append(data);
    if (last) {
      messages.add(text.toString());
      text.setLength(0);
    }
    ws.request(1);
    return null;
  }

  @Override
  public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
    binary += data.remaining();
    if (last) {
      messages.add("binary:" + binary);
      binary = 0;
    }
    ws.request(1);
    return null;
  }
}
