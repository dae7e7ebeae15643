package dev.odc.core.api;

/**
 * Body of {@code POST /v1/ssh-keys}. Deliberately without validation here: the api-service checks
 * the key and answers without ever repeating what was sent (it may be a private key by mistake).
 *
 * @param publicKey one OpenSSH public key line, as in a {@code .pub} file
 * @param name a label; null means the key's comment, else its type
 */
public record AddSshKeyRequest(String publicKey, String name) {}
