package dev.odc.api.errors;

/** Checks of text that comes from outside. */
public final class Text {
  private Text() {}

  /**
   * Whether {@code value} has a C0 control character or DEL; TAB is allowed when {@code
   * tabAllowed}. Null has none.
   */
  public static boolean hasControl(String value, boolean tabAllowed) {
    return value != null && firstControl(value, tabAllowed ? "\t" : "") >= 0;
  }

  /**
   * The index of the first C0 control character or DEL in {@code value} that is not one of {@code
   * allowed}, or -1.
   */
  public static int firstControl(String value, String allowed) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if ((c < 0x20 || c == 0x7f) && allowed.indexOf(c) < 0) {
        return i;
      }
    }
    return -1;
  }
}
