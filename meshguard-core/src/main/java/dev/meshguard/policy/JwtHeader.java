package dev.meshguard.policy;

/** `fromHeaders[]`: a header carrying a token, with an optional prefix such as `Bearer `. */
public record JwtHeader(String name, String prefix) {}
