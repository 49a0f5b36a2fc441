package dev.meshguard.engine;

/** MeshConfig `pathNormalization.normalization`. BASE is Istio's default. */
public enum PathNormalization {
  NONE,
  BASE,
  MERGE_SLASHES,
  DECODE_AND_MERGE_SLASHES
}
