package dev.meshguard.cli.replay;

import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The flips of a replay, grouped by what decides them, with counts and a few examples each. */
public final class FlipReport {
  static final int EXAMPLES = 3;

  private final int requests;
  private final List<Flip> flips;

  public FlipReport(int requests, List<Flip> flips) {
    this.requests = requests;
    this.flips = List.copyOf(flips);
  }

  public int flips() {
    return flips.size();
  }

  private long denied() {
    return flips.stream().filter(Flip::nowDenied).count();
  }

  /** Groups in order of first appearance, new denials first. */
  private Map<String, List<Flip>> groups(boolean nowDenied) {
    Map<String, List<Flip>> out = new LinkedHashMap<>();
    for (Flip f : flips) {
      if (f.nowDenied() == nowDenied) {
        out.computeIfAbsent(f.group(), g -> new ArrayList<>()).add(f);
      }
    }
    return out;
  }

  /**
   * The closing line: `12 requests replayed: 3 flipped (2 allowed -> denied, ...), 9 unchanged`.
   */
  public String summary() {
    return requests
        + " requests replayed: "
        + flips.size()
        + " flipped ("
        + denied()
        + " allowed -> denied, "
        + (flips.size() - denied())
        + " denied -> allowed), "
        + (requests - flips.size())
        + " unchanged";
  }

  public void printText(PrintWriter out) {
    for (boolean nowDenied : new boolean[] {true, false}) {
      Map<String, List<Flip>> groups = groups(nowDenied);
      if (groups.isEmpty()) {
        continue;
      }
      long count = groups.values().stream().mapToLong(List::size).sum();
      out.println((nowDenied ? "allowed -> denied: " : "denied -> allowed: ") + count);
      for (Map.Entry<String, List<Flip>> g : groups.entrySet()) {
        Flip first = g.getValue().get(0);
        out.println(
            "  "
                + g.getValue().size()
                + "  "
                + g.getKey()
                + (first.policy() == null ? "" : " [policy " + first.policy() + "]"));
        for (Flip f : g.getValue().subList(0, Math.min(EXAMPLES, g.getValue().size()))) {
          out.println("       e.g. " + example(f));
        }
      }
    }
    out.println(summary());
  }

  private static String example(Flip f) {
    CapturedRequest r = f.request();
    return r.method()
        + " "
        + (r.host() == null ? "" : r.host())
        + r.path()
        + "  principal "
        + (r.decision().principal() == null ? "none" : r.decision().principal())
        + "  at "
        + Instant.ofEpochSecond(r.time())
        + " (line "
        + r.line()
        + ")";
  }

  /** The report as a JSON/YAML-ready map. */
  public Map<String, Object> toMap() {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("requests", requests);
    out.put("flips", flips.size());
    out.put("allowedToDenied", denied());
    out.put("deniedToAllowed", flips.size() - denied());
    List<Object> groups = new ArrayList<>();
    for (boolean nowDenied : new boolean[] {true, false}) {
      for (Map.Entry<String, List<Flip>> g : groups(nowDenied).entrySet()) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("direction", nowDenied ? "allowed->denied" : "denied->allowed");
        m.put("group", g.getKey());
        m.put("policy", g.getValue().get(0).policy());
        m.put("count", g.getValue().size());
        List<Object> examples = new ArrayList<>();
        for (Flip f : g.getValue().subList(0, Math.min(EXAMPLES, g.getValue().size()))) {
          Map<String, Object> e = new LinkedHashMap<>();
          e.put("line", f.request().line());
          e.put("time", Instant.ofEpochSecond(f.request().time()).toString());
          e.put("method", f.request().method());
          e.put("host", f.request().host());
          e.put("path", f.request().path());
          e.put("before", f.request().decision().status() + " " + f.request().decision().reason());
          e.put("now", f.now().status() + " " + f.now().reason());
          examples.add(e);
        }
        m.put("examples", examples);
        groups.add(m);
      }
    }
    out.put("groups", groups);
    out.put("summary", summary());
    return out;
  }
}
