package dev.odc.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.odc.core.Json;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import picocli.CommandLine.Model.CommandSpec;

/**
 * What a command needs at run time: output streams, settings, the API client and a credential.
 * Built per invocation from the root command's environment and the command's common options.
 */
public final class Session {
  /** Refresh this long before expiry so a request never races the token's last second. */
  static final long REFRESH_MARGIN_SECONDS = 60;

  private final GpuDev root;
  private final CommonOptions options;
  private final PrintWriter out;
  private final PrintWriter err;
  private ConfigStore config;
  private ObjectMapper mapper;
  private HttpClient http;
  private ApiClient api;

  private Session(GpuDev root, CommandSpec spec, CommonOptions options) {
    this.root = root;
    this.options = options;
    this.out = spec.commandLine().getOut();
    this.err = spec.commandLine().getErr();
  }

  public static Session of(CommandSpec spec, CommonOptions options) {
    return new Session((GpuDev) spec.root().userObject(), spec, options);
  }

  public PrintWriter out() {
    return out;
  }

  public PrintWriter err() {
    return err;
  }

  public CommonOptions options() {
    return options;
  }

  public GpuDev root() {
    return root;
  }

  /** The config files; opened on first use (a command given its URL and key reads none). */
  public ConfigStore config() {
    if (config == null) {
      config = new ConfigStore(root.configDir(), mapper());
    }
    return config;
  }

  public ObjectMapper mapper() {
    if (mapper == null) {
      mapper = Json.newMapper();
    }
    return mapper;
  }

  /** The JDK HTTP client, for the OIDC flows only (the API goes through {@link ApiClient}). */
  public HttpClient http() {
    if (http == null) {
      http =
          HttpClient.newBuilder()
              .connectTimeout(Duration.ofSeconds(10))
              .followRedirects(HttpClient.Redirect.NEVER)
              .build();
    }
    return http;
  }

  public Oidc oidc() {
    return new Oidc(http(), mapper(), root.clock());
  }

  /** The API URL: flag, then {@code $GPU_DEV_API_URL}, then {@code config set api-url}. */
  public String apiUrl() {
    String url = options.apiUrl;
    if (url == null) {
      url = root.env().get("GPU_DEV_API_URL");
    }
    if (url == null || url.isBlank()) {
      url = config().setting("api-url").orElse(null);
    }
    if (url == null || url.isBlank()) {
      throw CliException.usage(
          "no API URL: pass --api-url, set GPU_DEV_API_URL, or run `gpu-dev config set api-url URL`");
    }
    if (!url.startsWith("http://") && !url.startsWith("https://")) {
      throw CliException.usage("API URL must start with http:// or https://, got " + url);
    }
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }

  public ApiClient api() {
    if (api == null) {
      api =
          new ApiClient(
              URI.create(apiUrl()), this::mapper, this::credential, options.debug ? err : null);
    }
    return api;
  }

  /**
   * The bearer credential: an API key from {@code --api-key FILE} or {@code $GPU_DEV_API_KEY}, else
   * the cached access token, refreshed silently when it is about to expire.
   */
  public String credential() {
    Optional<String> key = apiKey();
    if (key.isPresent()) {
      return key.get();
    }
    Tokens tokens =
        config()
            .tokens()
            .orElseThrow(() -> CliException.authNeeded("not logged in: run `gpu-dev login`"));
    if (!tokens.apiUrl().equals(apiUrl())) {
      throw CliException.authNeeded(
          "logged in to " + tokens.apiUrl() + ", not " + apiUrl() + ": run `gpu-dev login`");
    }
    if (tokens.expiresWithin(root.clock().instant(), REFRESH_MARGIN_SECONDS)) {
      tokens = refresh(tokens);
    }
    return tokens.accessToken();
  }

  /** Refreshes and saves the tokens; a refresh that fails means a full login. */
  Tokens refresh(Tokens tokens) {
    if (tokens.refreshToken() == null) {
      throw CliException.authNeeded("your login expired: run `gpu-dev login`");
    }
    try {
      Oidc.TokenResponse fresh =
          oidc().refresh(tokens.tokenEndpoint(), tokens.clientId(), tokens.refreshToken());
      Tokens updated =
          tokens.withAccess(
              fresh.accessToken(), fresh.refreshToken(), fresh.idToken(), fresh.expiresAt());
      config().saveTokens(updated);
      if (options.debug) {
        err.println("refreshed the access token");
      }
      return updated;
    } catch (CliException e) {
      throw CliException.authNeeded(
          "your login expired and could not be refreshed ("
              + e.getMessage()
              + "): run `gpu-dev login`");
    }
  }

  private Optional<String> apiKey() {
    if (options.apiKeyFile != null) {
      try {
        String key = Files.readString(Path.of(options.apiKeyFile), StandardCharsets.UTF_8).strip();
        if (key.isEmpty()) {
          throw CliException.usage("API key file " + options.apiKeyFile + " is empty");
        }
        return Optional.of(key);
      } catch (IOException e) {
        throw CliException.usage(
            "cannot read API key file " + options.apiKeyFile + ": " + e.getMessage());
      }
    }
    return Optional.ofNullable(root.env().get("GPU_DEV_API_KEY"))
        .map(String::strip)
        .filter(s -> !s.isEmpty());
  }

  /** Prints a value as indented JSON. */
  public void printJson(Object value) {
    try {
      out.println(mapper().writerWithDefaultPrettyPrinter().writeValueAsString(value));
    } catch (IOException e) {
      throw new CliException(ExitCodes.ERROR, "cannot format JSON: " + e.getMessage(), e);
    }
  }
}
