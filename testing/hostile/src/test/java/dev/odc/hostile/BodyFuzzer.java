package dev.odc.hostile;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Request bodies for the write endpoints from a seeded generator, so a failure can be replayed:
 * each body starts from the fields an endpoint knows and then, field by field, keeps a good value
 * or takes a hostile one (wrong JSON type, a number out of range, a string with control characters,
 * lone surrogates or 5,000 characters), sometimes adds unknown or duplicated fields, and sometimes
 * is not a JSON object at all.
 */
final class BodyFuzzer {
  private final Random random;

  BodyFuzzer(long seed) {
    this.random = new Random(seed);
  }

  /** The fields of an endpoint's body, each with values that are valid. */
  record Shape(Map<String, List<String>> goodValues) {}

  static final Shape RESERVATION =
      new Shape(
          Map.of(
              "gpuType", List.of("\"t4\"", "\"h100\""),
              "gpuCount", List.of("1", "2", "4"),
              "nodeCount", List.of("1"),
              "hours", List.of("1", "0.5", "2.25"),
              "name", List.of("\"fuzz\"", "\"train-1\""),
              "image", List.of("\"repo/image:1\""),
              "disk", List.of("\"none\""),
              "labels", List.of("{\"team\":\"ml\"}", "{}")));

  static final Shape DISK =
      new Shape(
          Map.of(
              "name",
              List.of("\"d1\"", "\"scratch\"", "\"data-2\""),
              "sizeGb",
              List.of("10", "50")));

  static final Shape RENAME = new Shape(Map.of("newName", List.of("\"renamed\"", "\"other\"")));

  static final Shape EXTEND = new Shape(Map.of("hours", List.of("1", "0.25")));

  static final Shape API_KEY =
      new Shape(
          Map.of(
              "name", List.of("\"k\"", "\"ci key\""),
              "ttlHours", List.of("1", "24"),
              "scopes", List.of("[\"read\"]", "[]", "[\"reservations\",\"read\"]")));

  static final Shape AWS_LOGIN =
      new Shape(
          Map.of(
              "region", List.of("\"us-east-1\""),
              "headers",
                  List.of(
                      "{\"Authorization\":\"AWS4-HMAC-SHA256 Credential=AKIA/20260101/us-east-1"
                          + "/sts/aws4_request, SignedHeaders=host, Signature=00\","
                          + "\"X-Amz-Date\":\"20260101T000000Z\"}"),
              "body", List.of("\"Action=GetCallerIdentity&Version=2011-06-15\"")));

  private static final List<String> HOSTILE =
      List.of(
          "null",
          "true",
          "0",
          "-1",
          "1.9",
          "1e-300",
          "1e308",
          "-1e308",
          "2147483648",
          "-2147483649",
          "9223372036854775808",
          "123456789012345678901234567890",
          "\"1\"",
          "\"\"",
          "\" \"",
          "\"\\u0000\"",
          "\"t4\\u0000\"",
          "\"a\\r\\nb\"",
          "\"\\u0007\\u001b[31m\"",
          "\"\\ud800\"",
          "\"\\udfff\\ud800\"",
          "\"\u202etxt.exe\"",
          "\"\uD83D\uDE80\"",
          "\"../../etc/passwd\"",
          "\"'; drop table users; --\"",
          "\"%00\"",
          "\"NaN\"",
          "\"Infinity\"",
          "[]",
          "[1,2,3]",
          "[\"read\",\"read\"]",
          "[\"admin\"]",
          "[null]",
          "{}",
          "{\"\\u0000\":\"x\"}",
          "{\"a\":{\"b\":{\"c\":[]}}}",
          "{\"team\":\"\\u0000\"}");

  private static final List<String> NOT_OBJECTS =
      List.of(
          "",
          "null",
          "[]",
          "\"just a string\"",
          "42",
          "{",
          "{\"gpuType\":",
          "{\"a\":1,}",
          "{'single':'quotes'}",
          "{\"a\":1} trailing",
          "\u0000",
          "{\"a\":\"\\x41\"}",
          "{\"a\":\"\\u12\"}");

  String next(Shape shape) {
    int roll = random.nextInt(100);
    if (roll < 4) {
      return NOT_OBJECTS.get(random.nextInt(NOT_OBJECTS.size()));
    }
    if (roll < 6) {
      return deepNesting(50 + random.nextInt(3000));
    }
    List<String> parts = new ArrayList<>();
    for (Map.Entry<String, List<String>> field : shape.goodValues().entrySet()) {
      int pick = random.nextInt(10);
      if (pick < 1) {
        continue; // field left out
      }
      String value;
      if (pick < 6) {
        List<String> good = field.getValue();
        value = good.get(random.nextInt(good.size()));
      } else if (pick < 9) {
        value = HOSTILE.get(random.nextInt(HOSTILE.size()));
      } else {
        value = randomString();
      }
      parts.add("\"" + field.getKey() + "\":" + value);
      if (random.nextInt(40) == 0) {
        parts.add("\"" + field.getKey() + "\":" + HOSTILE.get(random.nextInt(HOSTILE.size())));
      }
    }
    if (random.nextInt(15) == 0) {
      parts.add("\"unknownField\":1");
    }
    java.util.Collections.shuffle(parts, random);
    String body = "{" + String.join(",", parts) + "}";
    if (random.nextInt(50) == 0) {
      body = body.substring(0, random.nextInt(body.length() + 1));
    }
    return body;
  }

  private String randomString() {
    int length = random.nextInt(4) == 0 ? 5000 : random.nextInt(40);
    StringBuilder text = new StringBuilder("\"");
    for (int i = 0; i < length; i++) {
      int kind = random.nextInt(20);
      if (kind == 0) {
        text.append(String.format("\\u%04x", random.nextInt(0x20)));
      } else if (kind == 1) {
        text.append(String.format("\\u%04x", 0xd800 + random.nextInt(0x800)));
      } else if (kind == 2) {
        text.appendCodePoint(0x80 + random.nextInt(0x2000));
      } else if (kind == 3) {
        text.append("\\\"");
      } else {
        text.append((char) ('a' + random.nextInt(26)));
      }
    }
    return text.append('"').toString();
  }

  private static String deepNesting(int depth) {
    return "{\"labels\":" + "[".repeat(depth) + "]".repeat(depth) + "}";
  }
}
