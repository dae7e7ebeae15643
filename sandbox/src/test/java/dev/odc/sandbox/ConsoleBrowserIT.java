package dev.odc.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.odc.database.Database;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.Select;

/**
 * The web console in a real headless Chromium driven by a real WebDriver (Debian's chromedriver),
 * against the sandbox's parts in this JVM: embedded PostgreSQL, the login page of the sandbox's
 * identity provider, the simulated GPU cluster, and the api-service, reservation-processor and
 * cronjobs. One h100 node of 2 GPUs, so a second reservation queues until the first is cancelled.
 * Screenshots of every page go to {@code sandbox/target/console-screenshots/}.
 */
class ConsoleBrowserIT {
  static final Duration PROVISIONING = Duration.ofSeconds(120);

  @TempDir static Path tmp;
  static final Deque<AutoCloseable> running = new ArrayDeque<>();
  static String apiUrl;
  static WebDriver driver;
  static Path screenshots;

  @BeforeAll
  static void start() throws Exception {
    String chromium = System.getProperty("odc.chromium", "/usr/bin/chromium");
    String chromedriver = System.getProperty("odc.chromedriver", "/usr/bin/chromedriver");
    Assumptions.assumeTrue(
        Files.isExecutable(Path.of(chromium)) && Files.isExecutable(Path.of(chromedriver)),
        "Chromium or chromedriver not found ("
            + chromium
            + ", "
            + chromedriver
            + "; system properties odc.chromium, odc.chromedriver);"
            + " bin/test installs Debian's chromium and chromium-driver with apt-get when root");
    Path repo = Path.of(System.getProperty("odc.repo", "..")).toAbsolutePath().normalize();
    screenshots = Files.createDirectories(repo.resolve("sandbox/target/console-screenshots"));

    Path run = Files.createDirectories(tmp.resolve("run"));
    int oidcPort = FreePorts.pick();
    LocalIdentityProvider idp =
        LocalIdentityProvider.start(
            Path.of(System.getProperty("java.home")),
            SandboxLayout.oidcLibDir(),
            run,
            oidcPort,
            Set.of("root-admin"),
            Duration.ofHours(1));
    running.push(idp);
    var pools = NodePools.parse("h100=1x2,l4=2x4");
    SimulatedCluster cluster =
        SimulatedCluster.start(
            FreePorts.pick(), pools, Sandbox.NAMESPACE, run.resolve("kubeconfig"));
    running.push(cluster);
    EmbeddedDatabase db = EmbeddedDatabase.start(tmp.resolve("postgres"), 0);
    running.push(db);
    Database.migrate(db.url().dataSource());
    int apiPort = FreePorts.pick();
    apiUrl = "http://127.0.0.1:" + apiPort;
    Services.Settings settings =
        new Services.Settings(
            db.url(),
            idp.issuer(),
            apiPort,
            cluster.kubeconfig(),
            Optional.empty(),
            Optional.of(cluster.masterUrl()),
            Sandbox.NAMESPACE,
            true,
            pools,
            run,
            tmp.resolve("odc.log"));
    // The console test opens no tunnel: no pod address is ever needed.
    for (InJvmService service : Services.start(settings, (r, node, port) -> Optional.empty())) {
      running.push(service);
    }
    Services.awaitReady(settings, apiUrl, Duration.ofSeconds(90));
    idp.awaitReady(Duration.ofSeconds(90));
    assertThat(Services.awaitAvailability(settings, Duration.ofSeconds(60))).isTrue();

    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(new File(chromedriver))
            .usingAnyFreePort()
            .withLogFile(tmp.resolve("chromedriver.log").toFile())
            .build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(chromium);
    options.addArguments(
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--disable-sync",
        "--window-size=1366,1000",
        "--user-data-dir=" + Files.createDirectories(tmp.resolve("chromium-profile")));
    driver = new ChromeDriver(service, options);
    running.push(driver::quit);
  }

  @AfterAll
  static void stop() {
    while (!running.isEmpty()) {
      try {
        running.pop().close();
      } catch (Exception e) {
        // keep stopping the rest; the test result already says what went wrong
      }
    }
  }

  @Test
  void aUserReservesWatchesTheQueueExtendsAndCancelsAndAnAdminSearchesTheAuditLog()
      throws Exception {
    try {
      scenario();
    } catch (Exception | AssertionError e) {
      // what the browser showed when it went wrong, for whoever reads the build
      screenshot("failure");
      Files.writeString(screenshots.resolve("failure.html"), driver.getPageSource());
      throw e;
    }
  }

  private void scenario() throws Exception {
    // 1. An unauthenticated page sends the browser through the identity provider's login page.
    driver.get(apiUrl + "/reservations");
    signInAs("alice");
    assertThat(driver.getCurrentUrl()).isEqualTo(apiUrl + "/reservations");
    awaitPageReady();
    assertThat(text("#who")).isEqualTo("alice");
    assertThat(driver.findElements(By.cssSelector("li.admin-only:not([hidden])"))).isEmpty();
    // the session cookie is HttpOnly: the page's scripts cannot read it
    assertThat((String) js("return document.cookie;")).doesNotContain("odc_console");

    // 2. The first reservation takes the only h100 node; the second queues behind it.
    reserve("first", "h100", 2);
    awaitStatus("first", "ACTIVE");
    reserve("second", "h100", 2);
    awaitStatus("second", "QUEUED");
    await("queue position shown")
        .atMost(Duration.ofSeconds(30))
        .ignoreExceptions()
        .until(() -> row("second").getText(), t -> t.contains("#1 in the h100 queue"));
    screenshot("reservations-queued");

    // 3. Cancelling the first lets the second start; the page follows without a reload.
    js("window.odcNoReload = 'still here';");
    click(row("first"), "button[data-action='cancel']");
    driver.switchTo().alert().accept();
    awaitStatus("first", "CANCELLED");
    awaitStatus("second", "ACTIVE");
    assertThat((String) js("return window.odcNoReload;")).isEqualTo("still here");
    assertThat(row("second").getText()).contains("gpu-dev ssh");

    // 4. Extend by one hour in the dialog.
    click(row("second"), "button[data-action='extend']");
    WebElement hours = driver.findElement(By.id("extend-hours"));
    hours.clear();
    hours.sendKeys("1");
    driver.findElement(By.cssSelector("#extend-dialog button[type='submit']")).click();
    await("extended to 2 hours")
        .atMost(Duration.ofSeconds(20))
        .ignoreExceptions()
        .until(
            () -> row("second").findElements(By.cssSelector("td")).get(3).getText(), "2"::equals);
    screenshot("reservations");

    // 5. Availability and disks.
    navigate("Availability");
    await("availability counts the active reservation")
        .atMost(Duration.ofSeconds(60))
        .ignoreExceptions()
        .until(
            () -> driver.findElement(By.cssSelector("tr[data-gpu-type='h100']")).getText(),
            t -> t.startsWith("h100 2 0 2"));
    await("the 24-hour charts")
        .atMost(Duration.ofSeconds(20))
        .until(() -> driver.findElements(By.cssSelector("figure svg[role='img']")).size() == 2);
    screenshot("availability");
    navigate("Disks");
    // alice already has "home", made with her first reservation; she adds a second disk
    driver.findElement(By.id("disk-name")).sendKeys("scratch");
    driver.findElement(By.id("disk-size")).sendKeys("50");
    driver.findElement(By.xpath("//button[text()='Create disk']")).click();
    await("alice's new disk")
        .atMost(Duration.ofSeconds(20))
        .ignoreExceptions()
        .until(() -> text("tr[data-disk='scratch']"), t -> t.contains("50 GB"));
    driver.findElement(By.cssSelector("tr[data-disk='scratch'] button.secondary")).click();
    await("its snapshots (none yet)")
        .atMost(Duration.ofSeconds(20))
        .ignoreExceptions()
        .until(() -> text("tr[data-disk='scratch']"), t -> t.contains("none yet"));
    screenshot("disks");

    // 6. Admin pages are refused to alice by the server, not only hidden.
    driver.get(apiUrl + "/admin/audit");
    assertThat(driver.findElement(By.tagName("h1")).getText()).isEqualTo("Admins only");
    assertThat(driver.getPageSource()).doesNotContain("console.js");
    screenshot("admin-refused");
    driver.get(apiUrl + "/reservations");
    awaitPageReady();
    Object status =
        ((JavascriptExecutor) driver)
            .executeAsyncScript(
                "const done = arguments[arguments.length - 1];"
                    + " fetch('/console/api/admin/users').then(r => done(r.status));");
    assertThat(((Number) status).intValue()).isEqualTo(403);

    // 7. Another origin (same site, other port) posts a cancel with alice's cookie: refused.
    String secondId = row("second").getAttribute("data-id");
    try (AttackerPage attacker =
        AttackerPage.start(apiUrl + "/console/api/reservations/" + secondId + "/cancel")) {
      driver.get(attacker.url());
      await("the forged request's answer")
          .atMost(Duration.ofSeconds(20))
          .until(() -> driver.getPageSource(), s -> s.contains("cross-origin request refused"));
    }
    driver.get(apiUrl + "/reservations");
    awaitPageReady();
    awaitStatus("second", "ACTIVE");

    // 8. Cancel the second one, sign out.
    click(row("second"), "button[data-action='cancel']");
    driver.switchTo().alert().accept();
    awaitStatus("second", "CANCELLED");
    driver.findElement(By.id("logout")).click();
    await("signed out")
        .atMost(Duration.ofSeconds(10))
        .until(() -> driver.getCurrentUrl().endsWith("/signed-out"));
    driver.get(apiUrl + "/console/api/session");
    assertThat(driver.getPageSource()).contains("UNAUTHENTICATED");

    // 9. An admin searches the audit log, checks the chain, exports CSV.
    driver.get(apiUrl + "/admin/audit");
    signInAs("root-admin");
    awaitPageReady();
    assertThat(text("#who")).isEqualTo("root-admin (admin)");
    driver.findElement(By.id("audit-actor")).sendKeys("alice");
    driver.findElement(By.id("audit-action")).sendKeys("reservation.cancel");
    driver.findElement(By.cssSelector("#audit-form button[type='submit']")).click();
    await("two cancels by alice")
        .atMost(Duration.ofSeconds(20))
        .ignoreExceptions()
        .until(() -> driver.findElements(By.cssSelector("#audit-results tbody tr")).size() == 2);
    assertThat(text("#audit-results tbody")).contains("alice").doesNotContain("reservation.create");
    driver.findElement(By.xpath("//button[text()='Check the hash chain']")).click();
    await("the chain check")
        .atMost(Duration.ofSeconds(20))
        .until(() -> text("p.verify"), t -> t.startsWith("Intact"));
    String csv =
        (String)
            ((JavascriptExecutor) driver)
                .executeAsyncScript(
                    "const done = arguments[arguments.length - 1];"
                        + " fetch(document.querySelector('a[download]').href).then(r => r.text()).then(done);");
    assertThat(csv.lines().toList()).hasSize(3).first().asString().startsWith("id,at,actor,action");
    assertThat(csv).contains("\"reservation.cancel\"").contains("\"alice\"");
    screenshot("admin-audit");

    navigate("All reservations");
    await("alice's reservations for the admin")
        .atMost(Duration.ofSeconds(20))
        .ignoreExceptions()
        .until(() -> driver.findElements(By.cssSelector("main tbody tr")).size() == 2);
    assertThat(text("main tbody")).contains("alice");
    screenshot("admin-reservations");
    navigate("Users");
    await("users")
        .atMost(Duration.ofSeconds(20))
        .ignoreExceptions()
        .until(() -> driver.findElement(By.cssSelector("tr[data-user='alice']")).isDisplayed());
    assertThat(text("tr[data-user='root-admin']")).contains("ADMIN");
    screenshot("admin-users");
  }

  private static void signInAs(String username) {
    await("the identity provider's login page")
        .atMost(Duration.ofSeconds(30))
        .ignoreExceptions()
        .until(() -> driver.findElement(By.id("username")).isDisplayed());
    driver.findElement(By.id("username")).sendKeys(username);
    driver.findElement(By.id("sign-in")).click();
    await("back in the console")
        .atMost(Duration.ofSeconds(30))
        .until(() -> driver.getCurrentUrl().startsWith(apiUrl));
  }

  private static void awaitPageReady() {
    await("the console page")
        .atMost(Duration.ofSeconds(30))
        .ignoreExceptions()
        .until(
            () -> "true".equals(driver.findElement(By.tagName("body")).getAttribute("data-ready")));
  }

  private static void navigate(String link) {
    driver.findElement(By.linkText(link)).click();
    awaitPageReady();
  }

  private static void reserve(String name, String gpuType, int gpus) {
    new Select(driver.findElement(By.id("gpu-type"))).selectByValue(gpuType);
    WebElement count = driver.findElement(By.id("gpu-count"));
    count.clear();
    count.sendKeys(Integer.toString(gpus));
    driver.findElement(By.id("res-name")).sendKeys(name);
    driver.findElement(By.cssSelector("form button[type='submit']")).click();
    await("reservation " + name + " listed")
        .atMost(Duration.ofSeconds(20))
        .ignoreExceptions()
        .until(() -> row(name).isDisplayed());
    assertThat(text("#reserve-error")).isEmpty();
  }

  private static WebElement row(String name) {
    return driver.findElement(
        By.xpath("//div[@id='reservation-list']//tr[td/strong[text()='" + name + "']]"));
  }

  private static void awaitStatus(String name, String status) {
    await(name + " " + status)
        .atMost(PROVISIONING)
        .pollInterval(Duration.ofMillis(500))
        .ignoreExceptions()
        .until(
            () -> row(name).findElement(By.cssSelector(".status")).getAttribute("data-status"),
            status::equals);
  }

  private static void click(WebElement within, String css) {
    within.findElement(By.cssSelector(css)).click();
  }

  private static String text(String css) {
    return driver.findElement(By.cssSelector(css)).getText();
  }

  private static Object js(String script) {
    return ((JavascriptExecutor) driver).executeScript(script);
  }

  private static void screenshot(String name) throws IOException {
    byte[] png = ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES);
    Files.write(screenshots.resolve(name + ".png"), png);
  }

  /** A page on another origin that posts a form to the console, as a forged request would. */
  record AttackerPage(HttpServer server) implements AutoCloseable {
    static AttackerPage start(String target) throws IOException {
      HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      byte[] page =
          ("<!doctype html><html><body><form id='f' method='post' enctype='text/plain' action='"
                  + target
                  + "'><input name='x' value='y'></form>"
                  + "<script>document.getElementById('f').submit();</script></body></html>")
              .getBytes(StandardCharsets.UTF_8);
      server.createContext(
          "/",
          exchange -> {
            exchange.getResponseHeaders().set("Content-Type", "text/html;charset=utf-8");
            exchange.sendResponseHeaders(200, page.length);
            try (OutputStream out = exchange.getResponseBody()) {
              out.write(page);
            }
          });
      server.start();
      return new AttackerPage(server);
    }

    String url() {
      return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
    }

    @Override
    public void close() {
      server.stop(0);
    }
  }
}
