package dev.odc.api.ssh;

import dev.odc.core.SshKey;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.spec.ECFieldFp;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.EllipticCurve;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One OpenSSH public key, read from the line a {@code .pub} file holds ({@code type base64
 * [comment]}) by decoding its wire format (RFC 4253 §6.6, RFC 5656, RFC 8709, OpenSSH's
 * PROTOCOL.u2f). Messages of {@link InvalidKeyException} never contain the input, which may be a
 * secret pasted by mistake.
 *
 * @param type the key type, e.g. {@code ssh-ed25519}
 * @param bits the size {@code ssh-keygen -l} prints
 * @param blob the decoded key blob
 * @param comment the text after the key, or empty
 */
public record OpenSshPublicKey(String type, int bits, byte[] blob, String comment) {
  /** RSA keys below this size are refused (NIST SP 800-131A). */
  public static final int MIN_RSA_BITS = 2048;

  /** The longest line accepted: an RSA 16384-bit key is about 2.8 KB of base64. */
  public static final int MAX_LINE_LENGTH = 8192;

  private static final Map<String, Integer> EC_CURVES =
      Map.of("nistp256", 256, "nistp384", 384, "nistp521", 521);
  private static final Map<String, String> EC_JCA_NAMES =
      Map.of("nistp256", "secp256r1", "nistp384", "secp384r1", "nistp521", "secp521r1");
  private static final Pattern BASE64 = Pattern.compile("[A-Za-z0-9+/]+={0,2}");

  /** The key types accepted, in the order {@code ssh-keygen -t} documents them. */
  public static final List<String> TYPES =
      List.of(
          "ssh-ed25519",
          "ecdsa-sha2-nistp256",
          "ecdsa-sha2-nistp384",
          "ecdsa-sha2-nistp521",
          "ssh-rsa",
          "sk-ssh-ed25519@openssh.com",
          "sk-ecdsa-sha2-nistp256@openssh.com");

  public OpenSshPublicKey {
    Objects.requireNonNull(type, "type is null");
    Objects.requireNonNull(blob, "blob is null");
    blob = blob.clone();
    comment = comment == null ? "" : comment;
  }

  /** Why a text is not an acceptable public key; the message is safe to show and to log. */
  public static final class InvalidKeyException extends Exception {
    private static final long serialVersionUID = 1L;
    private final boolean privateKey;

    InvalidKeyException(String message, boolean privateKey) {
      super(message);
      this.privateKey = privateKey;
    }

    InvalidKeyException(String message) {
      this(message, false);
    }

    /** True when the text looked like a private key. */
    public boolean isPrivateKey() {
      return privateKey;
    }
  }

  /**
   * Parses one public key line.
   *
   * @throws InvalidKeyException with a message that names what to fix and never repeats the input
   */
  public static OpenSshPublicKey parse(String text) throws InvalidKeyException {
    if (text == null || text.isBlank()) {
      throw new InvalidKeyException("publicKey is required: the contents of your .pub file");
    }
    if (SshKey.looksPrivate(text)) {
      throw new InvalidKeyException(
          "this is a PRIVATE key; it was not stored. Send the public key instead: the file ending"
              + " in .pub (e.g. ~/.ssh/id_ed25519.pub), or the output of `ssh-keygen -y -f"
              + " PRIVATE_KEY_FILE`. If the private key was shared anywhere, consider it exposed.",
          true);
    }
    if (text.length() > MAX_LINE_LENGTH) {
      throw new InvalidKeyException(
          "publicKey is longer than " + MAX_LINE_LENGTH + " characters; send one key line");
    }
    String line = text.strip();
    if (line.startsWith("---- BEGIN SSH2 PUBLIC KEY")) {
      throw new InvalidKeyException(
          "this is an RFC 4716 (SSH2) public key; convert it with `ssh-keygen -i -f FILE`");
    }
    if (line.contains("\n") || line.contains("\r")) {
      throw new InvalidKeyException("publicKey must be a single line holding one key");
    }
    String[] parts = line.split("[ \t]+", 3);
    String type = parts[0];
    if (!TYPES.contains(type)) {
      if (type.contains("=") || type.contains("\"") || type.contains(",")) {
        throw new InvalidKeyException(
            "authorized_keys options are not accepted; send only 'TYPE BASE64 [COMMENT]'");
      }
      throw new InvalidKeyException(
          "not an OpenSSH public key of a supported type; expected a line starting with one of "
              + TYPES);
    }
    if (parts.length < 2 || !BASE64.matcher(parts[1]).matches()) {
      throw new InvalidKeyException("the key data after '" + type + "' is missing or not base64");
    }
    byte[] blob;
    try {
      blob = Base64.getDecoder().decode(parts[1]);
    } catch (IllegalArgumentException e) {
      throw new InvalidKeyException("the key data after '" + type + "' is not valid base64");
    }
    String comment = parts.length > 2 ? parts[2].strip() : "";
    if (!comment.chars().allMatch(c -> c >= 0x20 && c != 0x7f)) {
      throw new InvalidKeyException("the key's comment contains control characters");
    }
    return new OpenSshPublicKey(type, decode(type, blob), blob, comment);
  }

  /** Reads the blob and checks it against its type; returns the key size. */
  private static int decode(String type, byte[] blob) throws InvalidKeyException {
    Wire in = new Wire(blob);
    String inner = in.string();
    if (!inner.equals(type)) {
      throw new InvalidKeyException(
          "the key data says its type is not '" + type + "'; the line is damaged");
    }
    int bits;
    switch (type) {
      case "ssh-ed25519", "sk-ssh-ed25519@openssh.com" -> {
        if (in.bytes().length != 32) {
          throw new InvalidKeyException("an Ed25519 key must be 32 bytes");
        }
        bits = 256;
      }
      case "ssh-rsa" -> {
        BigInteger e = in.mpint();
        BigInteger n = in.mpint();
        if (e.signum() <= 0 || !e.testBit(0) || e.compareTo(BigInteger.valueOf(3)) < 0) {
          throw new InvalidKeyException("the RSA key's public exponent is invalid");
        }
        if (n.signum() <= 0 || !n.testBit(0)) {
          throw new InvalidKeyException("the RSA key's modulus is invalid");
        }
        bits = n.bitLength();
        if (bits < MIN_RSA_BITS) {
          throw new InvalidKeyException(
              "RSA keys must have at least "
                  + MIN_RSA_BITS
                  + " bits, this one has "
                  + bits
                  + "; make a new key with `ssh-keygen -t ed25519`");
        }
      }
      default -> {
        // ecdsa-sha2-<curve> and sk-ecdsa-sha2-nistp256@openssh.com
        String curve = in.string();
        String expected = type.replace("sk-", "").replace("@openssh.com", "");
        if (!expected.equals("ecdsa-sha2-" + curve)) {
          throw new InvalidKeyException("the ECDSA key's curve does not match its type");
        }
        bits = EC_CURVES.get(curve);
        checkOnCurve(curve, in.bytes());
      }
    }
    if (type.startsWith("sk-")) {
      String application = in.string();
      if (!application.startsWith("ssh:")) {
        throw new InvalidKeyException("the security key's application must start with 'ssh:'");
      }
    }
    if (in.remaining() != 0) {
      throw new InvalidKeyException("the key data has trailing bytes; the line is damaged");
    }
    return bits;
  }

  /** An uncompressed point (0x04 || X || Y) that lies on the named curve. */
  private static void checkOnCurve(String curve, byte[] point) throws InvalidKeyException {
    int size = (EC_CURVES.get(curve) + 7) / 8;
    if (point.length != 1 + 2 * size || point[0] != 4) {
      throw new InvalidKeyException("the ECDSA key's point is not an uncompressed " + curve);
    }
    BigInteger x = new BigInteger(1, Arrays.copyOfRange(point, 1, 1 + size));
    BigInteger y = new BigInteger(1, Arrays.copyOfRange(point, 1 + size, point.length));
    EllipticCurve c = parameters(curve).getCurve();
    BigInteger p = ((ECFieldFp) c.getField()).getP();
    if (x.compareTo(p) >= 0 || y.compareTo(p) >= 0) {
      throw new InvalidKeyException("the ECDSA key's point is not on " + curve);
    }
    BigInteger left = y.multiply(y).mod(p);
    BigInteger right = x.pow(3).add(c.getA().multiply(x)).add(c.getB()).mod(p);
    if (!left.equals(right)) {
      throw new InvalidKeyException("the ECDSA key's point is not on " + curve);
    }
  }

  private static ECParameterSpec parameters(String curve) {
    try {
      AlgorithmParameters params = AlgorithmParameters.getInstance("EC");
      params.init(new ECGenParameterSpec(EC_JCA_NAMES.get(curve)));
      return params.getParameterSpec(ECParameterSpec.class);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK lacks the curve " + curve, e);
    }
  }

  /** {@code SHA256:} and the unpadded base64 of the blob's SHA-256, as {@code ssh-keygen -l}. */
  public String fingerprint() {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(blob);
      return "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK lacks SHA-256", e);
    }
  }

  /** The key as an {@code authorized_keys} line without comment. */
  public String authorizedKey() {
    return type + " " + Base64.getEncoder().encodeToString(blob);
  }

  @Override
  public byte[] blob() {
    return blob.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof OpenSshPublicKey k
        && k.type.equals(type)
        && Arrays.equals(k.blob, blob)
        && k.comment.equals(comment);
  }

  @Override
  public int hashCode() {
    return Objects.hash(type, Arrays.hashCode(blob), comment);
  }

  @Override
  public String toString() {
    return type + " " + bits + " " + fingerprint();
  }

  /** The SSH wire format's {@code string} and {@code mpint}, with bounds checks. */
  private static final class Wire {
    private final ByteBuffer buffer;

    Wire(byte[] data) {
      this.buffer = ByteBuffer.wrap(data);
    }

    byte[] bytes() throws InvalidKeyException {
      if (buffer.remaining() < 4) {
        throw new InvalidKeyException("the key data is truncated; the line is damaged");
      }
      int length = buffer.getInt();
      if (length < 0 || length > buffer.remaining()) {
        throw new InvalidKeyException("the key data is truncated; the line is damaged");
      }
      byte[] out = new byte[length];
      buffer.get(out);
      return out;
    }

    String string() throws InvalidKeyException {
      return new String(bytes(), StandardCharsets.US_ASCII);
    }

    BigInteger mpint() throws InvalidKeyException {
      byte[] raw = bytes();
      return raw.length == 0 ? BigInteger.ZERO : new BigInteger(raw);
    }

    int remaining() {
      return buffer.remaining();
    }
  }
}
