package dev.odc.api.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The wire-format checks, with key blobs built here from JDK-generated keys (the IT compares with
 * ssh-keygen itself): security-key types, points off the curve, trailing or missing bytes.
 */
class OpenSshPublicKeyTest {

  /** The SSH wire format's string and mpint, for building blobs. */
  static final class Blob {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final DataOutputStream out = new DataOutputStream(bytes);

    Blob string(byte[] value) throws IOException {
      out.writeInt(value.length);
      out.write(value);
      return this;
    }

    Blob string(String value) throws IOException {
      return string(value.getBytes(StandardCharsets.US_ASCII));
    }

    Blob mpint(BigInteger value) throws IOException {
      return string(value.toByteArray());
    }

    Blob raw(byte[] value) throws IOException {
      out.write(value);
      return this;
    }

    String line(String type) {
      return type + " " + Base64.getEncoder().encodeToString(bytes.toByteArray()) + " test";
    }
  }

  static byte[] point(ECPublicKey key, int size) {
    byte[] out = new byte[1 + 2 * size];
    out[0] = 4;
    byte[] x = unsigned(key.getW().getAffineX(), size);
    byte[] y = unsigned(key.getW().getAffineY(), size);
    System.arraycopy(x, 0, out, 1, size);
    System.arraycopy(y, 0, out, 1 + size, size);
    return out;
  }

  static byte[] unsigned(BigInteger v, int size) {
    byte[] b = v.toByteArray();
    byte[] out = new byte[size];
    int n = Math.min(b.length, size);
    System.arraycopy(b, b.length - n, out, size - n, n);
    return out;
  }

  static ECPublicKey ecKey(String curve) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec(curve));
    return (ECPublicKey) g.generateKeyPair().getPublic();
  }

  @Test
  void securityKeyTypesAreRead() throws Exception {
    byte[] ed = new byte[32];
    Arrays.fill(ed, (byte) 7);
    String type = "sk-ssh-ed25519@openssh.com";
    OpenSshPublicKey sk =
        OpenSshPublicKey.parse(new Blob().string(type).string(ed).string("ssh:").line(type));
    assertThat(sk.bits()).isEqualTo(256);
    assertThat(sk.fingerprint()).startsWith("SHA256:").doesNotEndWith("=");

    String ecType = "sk-ecdsa-sha2-nistp256@openssh.com";
    byte[] p = point(ecKey("secp256r1"), 32);
    OpenSshPublicKey skEc =
        OpenSshPublicKey.parse(
            new Blob().string(ecType).string("nistp256").string(p).string("ssh:").line(ecType));
    assertThat(skEc.bits()).isEqualTo(256);
    assertThat(skEc.comment()).isEqualTo("test");

    assertThatThrownBy(
            () ->
                OpenSshPublicKey.parse(
                    new Blob().string(type).string(ed).string("web:").line(type)))
        .hasMessageContaining("application");
  }

  @Test
  void ecdsaPointsMustLieOnTheirCurve() throws Exception {
    for (String[] c :
        List.of(
            new String[] {"nistp256", "secp256r1", "32"},
            new String[] {"nistp384", "secp384r1", "48"},
            new String[] {"nistp521", "secp521r1", "66"})) {
      String type = "ecdsa-sha2-" + c[0];
      int size = Integer.parseInt(c[2]);
      byte[] p = point(ecKey(c[1]), size);
      assertThat(
              OpenSshPublicKey.parse(new Blob().string(type).string(c[0]).string(p).line(type))
                  .bits())
          .isEqualTo(Integer.parseInt(c[0].substring(5)));
      p[p.length - 1] ^= 1;
      assertThatThrownBy(
              () ->
                  OpenSshPublicKey.parse(new Blob().string(type).string(c[0]).string(p).line(type)))
          .hasMessageContaining("not on " + c[0]);
    }
    byte[] p256 = point(ecKey("secp256r1"), 32);
    assertThatThrownBy(
            () ->
                OpenSshPublicKey.parse(
                    new Blob()
                        .string("ecdsa-sha2-nistp384")
                        .string("nistp256")
                        .string(p256)
                        .line("ecdsa-sha2-nistp384")))
        .hasMessageContaining("curve does not match");
  }

  @Test
  void rsaKeysAreSizedAndChecked() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    RSAPublicKey rsa = (RSAPublicKey) g.generateKeyPair().getPublic();
    String ok =
        new Blob()
            .string("ssh-rsa")
            .mpint(rsa.getPublicExponent())
            .mpint(rsa.getModulus())
            .line("ssh-rsa");
    assertThat(OpenSshPublicKey.parse(ok).bits()).isEqualTo(2048);
    String evenModulus =
        new Blob()
            .string("ssh-rsa")
            .mpint(rsa.getPublicExponent())
            .mpint(rsa.getModulus().clearBit(0))
            .line("ssh-rsa");
    assertThatThrownBy(() -> OpenSshPublicKey.parse(evenModulus)).hasMessageContaining("modulus");
    String evenExponent =
        new Blob()
            .string("ssh-rsa")
            .mpint(BigInteger.valueOf(4))
            .mpint(rsa.getModulus())
            .line("ssh-rsa");
    assertThatThrownBy(() -> OpenSshPublicKey.parse(evenExponent)).hasMessageContaining("exponent");
  }

  @Test
  void damagedBlobsAreRefusedWithoutRepeatingThem() throws Exception {
    byte[] ed = new byte[32];
    String type = "ssh-ed25519";
    String trailing = new Blob().string(type).string(ed).raw(new byte[] {1}).line(type);
    assertThatThrownBy(() -> OpenSshPublicKey.parse(trailing)).hasMessageContaining("trailing");
    String shortKey = new Blob().string(type).string(new byte[31]).line(type);
    assertThatThrownBy(() -> OpenSshPublicKey.parse(shortKey)).hasMessageContaining("32 bytes");
    String lying = new Blob().string(type).raw(new byte[] {0, 0, 1, 0}).line(type);
    assertThatThrownBy(() -> OpenSshPublicKey.parse(lying))
        .hasMessageContaining("truncated")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain(lying.split(" ")[1]));
  }

  @Test
  void privateKeysAreRecognisedInEveryCommonForm() {
    for (String text :
        List.of(
            "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----",
            "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEE\n-----END EC PRIVATE KEY-----",
            "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIF\n-----END ENCRYPTED PRIVATE KEY-----",
            "PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none",
            "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ")) {
      assertThatThrownBy(() -> OpenSshPublicKey.parse(text))
          .isInstanceOfSatisfying(
              OpenSshPublicKey.InvalidKeyException.class,
              e -> assertThat(e.isPrivateKey()).isTrue())
          .hasMessageContaining("PRIVATE key")
          .satisfies(
              e -> assertThat(e.getMessage()).doesNotContain("MHcCAQEE", "b3BlbnNzaC1rZXkt"));
    }
  }

  @Test
  void portRangesAcceptPortsAndRanges() {
    PortRanges ports = PortRanges.parse(List.of("22", "8000-8099", " 6006 "));
    assertThat(ports.contains(22)).isTrue();
    assertThat(ports.contains(8050)).isTrue();
    assertThat(ports.contains(6006)).isTrue();
    assertThat(ports.contains(23)).isFalse();
    assertThat(ports.contains(8100)).isFalse();
    assertThatThrownBy(() -> PortRanges.parse(List.of("9-2"))).hasMessageContaining("'9-2'");
    assertThatThrownBy(() -> PortRanges.parse(List.of("70000"))).hasMessageContaining("1-65535");
  }
}
