package dev.meshguard.engine.authz;

import dev.meshguard.engine.authn.VerifiedClaims;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.IntPredicate;

/**
 * The rules of one action numbered in Envoy's order (ordinal 0 is the lowest RBAC name), filed by
 * what a request must have for each to possibly match ({@link RuleKeys}): by exact path, path
 * prefix, path suffix, or exact request principal; a rule with no such condition is a candidate for
 * every request. A lookup visits, in ordinal order, only the rules filed under the request's own
 * path and principal (and the unfiled ones), so its cost does not grow with rules that cannot
 * match. Each rule is filed under one attribute only (its path when it has path keys).
 */
final class RuleIndex {
  private final Map<String, int[]> exactPaths;
  private final Map<String, int[]> pathPrefixes;
  private final int[] prefixLengths;
  private final Map<String, int[]> pathSuffixes;
  private final int[] suffixLengths;
  private final Map<RuleKeys.PrincipalKey, int[]> principals;
  private final int[] unfiled;

  private RuleIndex(
      Map<String, int[]> exactPaths,
      Map<String, int[]> pathPrefixes,
      Map<String, int[]> pathSuffixes,
      Map<RuleKeys.PrincipalKey, int[]> principals,
      int[] unfiled) {
    this.exactPaths = exactPaths;
    this.pathPrefixes = pathPrefixes;
    this.prefixLengths = lengths(pathPrefixes);
    this.pathSuffixes = pathSuffixes;
    this.suffixLengths = lengths(pathSuffixes);
    this.principals = principals;
    this.unfiled = unfiled;
  }

  /** Files {@code keys.get(i)}, the keys of the rule with ordinal {@code i}. */
  static RuleIndex build(List<RuleKeys> keys) {
    Map<String, List<Integer>> exact = new HashMap<>();
    Map<String, List<Integer>> prefix = new HashMap<>();
    Map<String, List<Integer>> suffix = new HashMap<>();
    Map<RuleKeys.PrincipalKey, List<Integer>> principal = new HashMap<>();
    List<Integer> unfiled = new ArrayList<>();
    for (int ordinal = 0; ordinal < keys.size(); ordinal++) {
      RuleKeys k = keys.get(ordinal);
      if (k.paths() != null) {
        for (RuleKeys.PathKey path : k.paths()) {
          Map<String, List<Integer>> target =
              switch (path.kind()) {
                case EXACT -> exact;
                case PREFIX -> prefix;
                case SUFFIX -> suffix;
              };
          add(target, path.literal(), ordinal);
        }
      } else if (k.principals() != null) {
        for (RuleKeys.PrincipalKey p : k.principals()) {
          add(principal, p, ordinal);
        }
      } else {
        unfiled.add(ordinal);
      }
    }
    return new RuleIndex(
        frozen(exact), frozen(prefix), frozen(suffix), frozen(principal), ints(unfiled));
  }

  private static <K> void add(Map<K, List<Integer>> map, K key, int ordinal) {
    List<Integer> list = map.computeIfAbsent(key, k -> new ArrayList<>(1));
    // One rule may list a value twice, or two values with the same key: file it once.
    if (list.isEmpty() || list.get(list.size() - 1) != ordinal) {
      list.add(ordinal);
    }
  }

  private static <K> Map<K, int[]> frozen(Map<K, List<Integer>> map) {
    Map<K, int[]> out = new HashMap<>(Math.max(4, map.size() * 2));
    map.forEach((k, v) -> out.put(k, ints(v)));
    return out;
  }

  private static int[] ints(List<Integer> list) {
    // Ordinals were added in increasing order, so each array is sorted.
    return list.stream().mapToInt(Integer::intValue).toArray();
  }

  private static int[] lengths(Map<String, int[]> byLiteral) {
    TreeSet<Integer> lengths = new TreeSet<>();
    byLiteral.keySet().forEach(k -> lengths.add(k.length()));
    return lengths.stream().mapToInt(Integer::intValue).toArray();
  }

  /**
   * The lowest ordinal among this request's candidates for which {@code matches} holds, or -1. The
   * candidates are visited in increasing ordinal order, each once.
   */
  int first(AuthzRequest request, IntPredicate matches) {
    int[][] lists = new int[4][];
    int count = 0;
    if (unfiled.length > 0) {
      lists[count++] = unfiled;
    }
    String path = request.path();
    if (path != null) {
      int[] hit = exactPaths.get(path);
      if (hit != null) {
        lists = add(lists, count++, hit);
      }
      for (int length : prefixLengths) {
        if (length > path.length()) {
          break;
        }
        hit = pathPrefixes.get(path.substring(0, length));
        if (hit != null) {
          lists = add(lists, count++, hit);
        }
      }
      for (int length : suffixLengths) {
        if (length > path.length()) {
          break;
        }
        hit = pathSuffixes.get(path.substring(path.length() - length));
        if (hit != null) {
          lists = add(lists, count++, hit);
        }
      }
    }
    VerifiedClaims claims = request.claims();
    if (!principals.isEmpty() && claims != null) {
      String issuer = claims.issuer();
      String subject = claims.subject();
      if (issuer != null && subject != null) {
        int[] hit = principals.get(new RuleKeys.PrincipalKey(issuer, subject));
        if (hit != null) {
          lists = add(lists, count++, hit);
        }
      }
    }
    return count == 1 ? firstIn(lists[0], matches) : firstInMerged(lists, count, matches);
  }

  private static int[][] add(int[][] lists, int at, int[] list) {
    int[][] out = at < lists.length ? lists : java.util.Arrays.copyOf(lists, lists.length * 2);
    out[at] = list;
    return out;
  }

  private static int firstIn(int[] ordinals, IntPredicate matches) {
    for (int ordinal : ordinals) {
      if (matches.test(ordinal)) {
        return ordinal;
      }
    }
    return -1;
  }

  /**
   * Merges sorted lists, lowest ordinal first. An ordinal filed under two of the request's keys (a
   * prefix and a suffix of the same rule) comes out twice in a row and is tested once.
   */
  private static int firstInMerged(int[][] lists, int count, IntPredicate matches) {
    int[] at = new int[count];
    int last = -1;
    while (true) {
      int best = -1;
      int bestValue = Integer.MAX_VALUE;
      for (int i = 0; i < count; i++) {
        if (at[i] < lists[i].length && lists[i][at[i]] < bestValue) {
          bestValue = lists[i][at[i]];
          best = i;
        }
      }
      if (best < 0) {
        return -1;
      }
      at[best]++;
      if (bestValue != last) {
        last = bestValue;
        if (matches.test(bestValue)) {
          return bestValue;
        }
      }
    }
  }

  /** For tests: how many rules are filed under no attribute (candidates for every request). */
  int unfiledCount() {
    return unfiled.length;
  }
}
