package dev.odc.core.api;

import java.util.Map;

/**
 * Body of {@code POST /v1/auth/aws-login}: a presigned STS GetCallerIdentity request. It carries a
 * signature, never the AWS keys themselves; the server forwards it only to its own configured STS
 * endpoint.
 *
 * @param headers the signed headers (Authorization, X-Amz-Date, X-Amz-Security-Token…)
 * @param body the form body, {@code Action=GetCallerIdentity&Version=2011-06-15}
 */
public record AwsLoginRequest(String region, Map<String, String> headers, String body) {
  public AwsLoginRequest {
    headers = headers == null ? Map.of() : Map.copyOf(headers);
  }
}
