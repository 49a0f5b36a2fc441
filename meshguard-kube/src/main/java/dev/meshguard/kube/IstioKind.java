package dev.meshguard.kube;

import java.util.List;

/**
 * The Istio kinds meshguard watches, with the versions the API server may serve them at, newest
 * first. A custom resource stored once is served at each of its versions, so only one is watched:
 * the newest the server offers (v1 since Istio 1.22, v1beta1 before).
 */
enum IstioKind {
  REQUEST_AUTHENTICATION(
      "security.istio.io", "RequestAuthentication", "requestauthentications", "v1", "v1beta1"),
  AUTHORIZATION_POLICY(
      "security.istio.io", "AuthorizationPolicy", "authorizationpolicies", "v1", "v1beta1"),
  SERVICE_ENTRY(
      "networking.istio.io", "ServiceEntry", "serviceentries", "v1", "v1beta1", "v1alpha3"),
  DESTINATION_RULE(
      "networking.istio.io", "DestinationRule", "destinationrules", "v1", "v1beta1", "v1alpha3");

  private final String group;
  private final String kind;
  private final String plural;
  private final List<String> versions;

  IstioKind(String group, String kind, String plural, String... versions) {
    this.group = group;
    this.kind = kind;
    this.plural = plural;
    this.versions = List.of(versions);
  }

  String group() {
    return group;
  }

  String kind() {
    return kind;
  }

  String plural() {
    return plural;
  }

  /** Served versions to look for, newest first. */
  List<String> versions() {
    return versions;
  }
}
