package dev.odc.core;

/** What a user may do. Admin comes from the identity provider's groups claim. */
public enum Role {
  USER,
  ADMIN
}
