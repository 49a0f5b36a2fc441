package dev.meshguard.policy;

/** `outputClaimToHeaders[]`: copy a (possibly nested, dot-separated) claim into a header. */
public record ClaimToHeader(String header, String claim) {}
