package dev.odc.core.api;

import dev.odc.core.ApiKey;

/** The answer to creating an API key: the only time the secret {@code key} is ever shown. */
public record ApiKeyCreated(ApiKey apiKey, String key) {}
