package dev.odc.cli;

import dev.odc.core.api.ApiKeyCreated;
import dev.odc.core.api.AuthConfig;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "login",
    description = {
      "Log in to ODC through your identity provider.",
      "Opens a browser for the provider's login page (authorization code + PKCE, answered on a"
          + " 127.0.0.1 port). --device prints a code to enter on another machine; --aws trades"
          + " your AWS credentials for an API key."
    },
    footer = {
      "",
      "Examples:",
      "  gpu-dev login",
      "  gpu-dev login --no-browser     # print the URL instead of opening it",
      "  gpu-dev login --device         # headless machines",
      "  gpu-dev login --aws            # AWS IAM identity (transition path)",
      "",
      "The browser command is $BROWSER, else `config set browser CMD`, else xdg-open."
    })
final class LoginCommand implements Callable<Integer> {
  static final List<Integer> DEFAULT_PORTS = List.of(8250, 8251, 8252, 18250);

  @Spec CommandSpec spec;
  @Mixin CommonOptions common;

  @Option(
      names = "--device",
      description = "Use the device-code flow (no browser on this machine).")
  boolean device;

  @Option(
      names = "--aws",
      description = "Log in with AWS credentials (env, or ~/.aws/credentials) for an API key.")
  boolean aws;

  @Option(
      names = "--aws-region",
      paramLabel = "REGION",
      description = "STS region for --aws (default: $AWS_REGION, else us-east-1).")
  String awsRegion;

  @Option(names = "--no-browser", description = "Print the login URL instead of opening a browser.")
  boolean noBrowser;

  @Option(
      names = "--port",
      paramLabel = "PORT",
      split = ",",
      description =
          "Loopback ports to try, in order (default: config login.ports, else 8250,8251,8252,18250; then any free port).")
  List<Integer> ports;

  @Option(
      names = "--timeout",
      paramLabel = "SECONDS",
      defaultValue = "300",
      description = "How long to wait for the browser (default ${DEFAULT-VALUE}).")
  long timeoutSeconds;

  @Option(
      names = "--ssh-key",
      paramLabel = "FILE",
      description = "When you have no SSH key registered, register this public key without asking.")
  String sshKey;

  @Option(
      names = "--no-ssh-key",
      description = "Do not offer to register an SSH key when you have none.")
  boolean noSshKey;

  @Override
  public Integer call() {
    int code = login();
    if (code == ExitCodes.OK && !noSshKey) {
      SshKeyOffer.afterLogin(Session.of(spec, common), sshKey);
    }
    return code;
  }

  private int login() {
    Session s = Session.of(spec, common);
    String apiUrl = s.apiUrl();
    AuthConfig auth = s.api().getPublic("/v1/auth/config", AuthConfig.class);
    if (aws) {
      return awsLogin(s, apiUrl, auth);
    }
    if (auth.issuer() == null || auth.clientId() == null) {
      throw new CliException(
          ExitCodes.ERROR,
          "the API at "
              + apiUrl
              + " has no OIDC login configured"
              + (auth.awsLoginEnabled() ? "; try --aws" : ""));
    }
    Oidc oidc = s.oidc();
    Oidc.Endpoints endpoints = oidc.discover(auth.issuer());
    Oidc.TokenResponse tokens;
    if (device) {
      Oidc.DeviceCode code =
          oidc.startDevice(endpoints, auth.clientId(), auth.scopes(), auth.audience());
      s.err()
          .println(
              "To log in, open "
                  + code.verificationUri()
                  + " and enter the code: "
                  + code.userCode());
      if (code.verificationUriComplete() != null) {
        s.err().println("Or open: " + code.verificationUriComplete());
      }
      s.err().println("Waiting for approval...");
      s.err().flush();
      tokens = oidc.pollDevice(endpoints, auth.clientId(), code);
    } else {
      try (Oidc.BrowserLogin login =
          oidc.startBrowserLogin(
              endpoints, auth.clientId(), auth.scopes(), auth.audience(), ports(s))) {
        String url = login.authorizationUrl();
        if (noBrowser || !openBrowser(s, url)) {
          s.err().println("Open this URL in a browser to log in:");
          s.err().println("  " + url);
        } else {
          s.err().println("Opened your browser to log in. If it did not open, visit:");
          s.err().println("  " + url);
        }
        s.err().println("Waiting for the login on " + login.redirectUri() + " ...");
        s.err().flush();
        tokens = login.await(Duration.ofSeconds(timeoutSeconds));
      }
    }
    s.config()
        .saveTokens(
            new Tokens(
                apiUrl,
                auth.issuer(),
                auth.clientId(),
                endpoints.tokenEndpoint(),
                tokens.accessToken(),
                tokens.refreshToken(),
                tokens.idToken(),
                tokens.expiresAt()));
    String who =
        tokens.idToken() == null
            ? null
            : oidc.jwtClaims(tokens.idToken()).path("preferred_username").asText(null);
    s.out().println("Logged in" + (who == null ? "" : " as " + who) + " to " + apiUrl + ".");
    s.out().flush();
    return ExitCodes.OK;
  }

  private List<Integer> ports(Session s) {
    if (ports != null) {
      return ports;
    }
    return s.config()
        .setting("login.ports")
        .map(
            v ->
                Arrays.stream(v.split(","))
                    .map(String::strip)
                    .filter(p -> !p.isEmpty())
                    .map(
                        p -> {
                          try {
                            return Integer.parseInt(p);
                          } catch (NumberFormatException e) {
                            throw CliException.usage("config login.ports has a bad port: " + p);
                          }
                        })
                    .toList())
        .orElse(DEFAULT_PORTS);
  }

  /** Starts the user's browser; false when none could be started. */
  private static boolean openBrowser(Session s, String url) {
    String command = s.root().env().get("BROWSER");
    if (command == null || command.isBlank()) {
      command = s.config().setting("browser").orElse("xdg-open");
    }
    List<String> argv = new ArrayList<>(Arrays.asList(command.strip().split("\\s+")));
    argv.add(url);
    try {
      new ProcessBuilder(argv)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .redirectError(ProcessBuilder.Redirect.DISCARD)
          .start();
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private int awsLogin(Session s, String apiUrl, AuthConfig auth) {
    if (!auth.awsLoginEnabled()) {
      throw new CliException(
          ExitCodes.ERROR, "the API at " + apiUrl + " does not accept AWS logins");
    }
    String region =
        awsRegion != null
            ? awsRegion
            : s.root()
                .env()
                .getOrDefault(
                    "AWS_REGION", s.root().env().getOrDefault("AWS_DEFAULT_REGION", "us-east-1"));
    AwsSigner.Credentials creds = AwsSigner.Credentials.fromEnvironment(s.root().env());
    var request = AwsSigner.signGetCallerIdentity(creds, region, s.root().clock().instant());
    ApiKeyCreated created = s.api().postPublic("/v1/auth/aws-login", request, ApiKeyCreated.class);
    s.config()
        .saveTokens(
            new Tokens(
                apiUrl,
                "aws",
                null,
                null,
                created.key(),
                null,
                null,
                created.apiKey().expiresAt()));
    s.out()
        .println(
            "Logged in with AWS identity to "
                + apiUrl
                + "; API key "
                + created.apiKey().prefix()
                + "... expires "
                + Fmt.time(created.apiKey().expiresAt())
                + ".");
    s.out().flush();
    return ExitCodes.OK;
  }
}
