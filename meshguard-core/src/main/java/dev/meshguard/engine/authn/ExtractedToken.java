package dev.meshguard.engine.authn;

/** A token string and where it came from. */
public record ExtractedToken(String token, TokenLocation location) {}
