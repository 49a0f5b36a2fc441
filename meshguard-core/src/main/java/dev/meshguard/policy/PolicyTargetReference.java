package dev.meshguard.policy;

/** An entry of `targetRef`/`targetRefs` (Gateway API attachment). */
public record PolicyTargetReference(String group, String kind, String name, String namespace) {}
