package dev.odc.api.errors;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.KeyDeserializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.deser.std.StringDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.type.LogicalType;
import java.io.IOException;

/**
 * How the API reads request bodies: unknown fields and nulls for primitives are errors, numbers are
 * never read from strings nor fractions from integers ({@code "1"} and {@code 1.9} are not a GPU
 * count), booleans only from {@code true}/{@code false}, and no string may hold NUL or another
 * control character other than TAB, CR and LF.
 */
public final class StrictJson {
  private StrictJson() {}

  public static void apply(ObjectMapper mapper) {
    mapper.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    mapper.enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
    mapper.disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);
    for (LogicalType type : new LogicalType[] {LogicalType.Integer, LogicalType.Float}) {
      mapper.coercionConfigFor(type).setCoercion(CoercionInputShape.String, CoercionAction.Fail);
      mapper.coercionConfigFor(type).setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
    }
    mapper
        .coercionConfigFor(LogicalType.Integer)
        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail);
    mapper
        .coercionConfigFor(LogicalType.Boolean)
        .setCoercion(CoercionInputShape.String, CoercionAction.Fail);
    mapper
        .coercionConfigFor(LogicalType.Boolean)
        .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail);
    mapper
        .coercionConfigFor(LogicalType.Textual)
        .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail);
    mapper
        .coercionConfigFor(LogicalType.Textual)
        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail);
    mapper
        .coercionConfigFor(LogicalType.Textual)
        .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
    SimpleModule module = new SimpleModule("odc-strict-strings");
    module.addDeserializer(String.class, new PlainText());
    module.addKeyDeserializer(String.class, new PlainKey());
    mapper.registerModule(module);
  }

  /** Strings as Jackson reads them, refused when they hold a control character. */
  static final class PlainText extends StringDeserializer {
    private static final long serialVersionUID = 1L;

    @Override
    public String deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      String value = super.deserialize(p, ctxt);
      if (value != null && Text.firstControl(value, "\t\r\n") >= 0) {
        return (String)
            ctxt.handleWeirdStringValue(
                String.class, value, "contains a control character (e.g. NUL); remove it");
      }
      return value;
    }
  }

  /** Map keys: no control characters at all. */
  static final class PlainKey extends KeyDeserializer {
    @Override
    public Object deserializeKey(String key, DeserializationContext ctxt) throws IOException {
      if (Text.hasControl(key, false)) {
        return ctxt.handleWeirdKey(
            String.class, key, "contains a control character (e.g. NUL); remove it");
      }
      return key;
    }
  }
}
