package dev.meshguard.cli.policytest;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One `meshguard test` file: the configuration under test and the cases it must decide. Paths are
 * resolved against the test file's folder.
 *
 * @param config files or directories of Istio YAML
 * @param meshConfig a MeshConfig file, or null
 * @param rootNamespace overrides the mesh root namespace, or null
 * @param now the clock in epoch seconds for every case, or null for the wall clock
 * @param keys signing keys for minted tokens, by name
 * @param workload the workload cases are decided for, unless a case names another
 * @param expectFindings substrings of configuration errors and warnings that must be reported
 */
public record PolicyTestFile(
    Path file,
    List<Path> config,
    Path meshConfig,
    String rootNamespace,
    Long now,
    Map<String, KeySpec> keys,
    WorkloadSpec workload,
    FindingsExpectation expectFindings,
    List<Case> cases) {

  public PolicyTestFile {
    Objects.requireNonNull(file, "file");
    config = List.copyOf(config);
    keys = Map.copyOf(keys);
    Objects.requireNonNull(workload, "workload");
    Objects.requireNonNull(expectFindings, "expectFindings");
    cases = List.copyOf(cases);
  }

  /** Every file the outcome depends on (for `--watch`): this file, configuration, mesh, keys. */
  public List<Path> inputs() {
    List<Path> out = new java.util.ArrayList<>();
    out.add(file);
    out.addAll(config);
    if (meshConfig != null) {
      out.add(meshConfig);
    }
    keys.values().forEach(k -> out.add(k.file()));
    return out;
  }

  /** A signing key for `mint`, with the `alg` and `kid` to use (null: the key file's own). */
  public record KeySpec(String name, Path file, String alg, String kid) {}

  /**
   * Which workload's policies apply.
   *
   * @param service the Service or ServiceEntry a waypoint fronts (as `--service`), or null
   */
  public record WorkloadSpec(String namespace, Map<String, String> labels, String service) {
    public WorkloadSpec {
      Objects.requireNonNull(namespace, "namespace");
      labels = Map.copyOf(labels);
    }

    public WorkloadSpec(String namespace, Map<String, String> labels) {
      this(namespace, labels, null);
    }
  }

  /** Substrings each of which some error (or warning) finding must contain. */
  public record FindingsExpectation(List<String> errors, List<String> warnings) {
    public FindingsExpectation {
      errors = List.copyOf(errors);
      warnings = List.copyOf(warnings);
    }

    public boolean isEmpty() {
      return errors.isEmpty() && warnings.isEmpty();
    }
  }

  /**
   * One case.
   *
   * @param field where it is in the file (`cases[2]`), for messages
   * @param workload overrides the file's workload, or null
   * @param now overrides the file's clock, or null
   */
  public record Case(
      String name,
      String field,
      WorkloadSpec workload,
      Long now,
      Request request,
      Expectation expect) {}

  /**
   * The request of a case, as `check`'s options describe one.
   *
   * @param headers (name, value) pairs in order
   * @param token a compact JWT to send, or null
   * @param mint a token to sign at run time, or null
   * @param tokenHeader where `token`/`mint` go (default `authorization`)
   * @param tokenPrefix the value's prefix there (default `Bearer ` for authorization, else none)
   */
  public record Request(
      String method,
      String scheme,
      String host,
      String path,
      int port,
      List<Map.Entry<String, String>> headers,
      String token,
      Mint mint,
      String tokenHeader,
      String tokenPrefix,
      String sourceIp,
      int numTrustedProxies,
      String sourcePrincipal,
      String destinationIp,
      String sni) {
    public Request {
      headers = List.copyOf(headers);
    }
  }

  /**
   * A token to sign with a named key. Times in `claims` written as `"+3600"`, `"-1h"` are relative
   * to the case's clock.
   */
  public record Mint(String key, ObjectNode claims, String alg, String kid) {}

  /**
   * What the decision must be. Only the fields given are compared; {@code policySet} and {@code
   * principalSet} tell "not checked" from "must be none" (`policy: null`).
   *
   * @param reason a substring of the decision's reason or of the response body
   * @param trace substrings each of which some line of the explanation must contain
   */
  public record Expectation(
      Integer status,
      Boolean allowed,
      String reason,
      boolean policySet,
      String policy,
      boolean principalSet,
      String principal,
      String body,
      Map<String, String> responseHeaders,
      String upstreamPath,
      List<String> upstreamRemoved,
      Map<String, String> upstreamAdded,
      List<String> trace) {
    public Expectation {
      trace = List.copyOf(trace);
    }
  }
}
