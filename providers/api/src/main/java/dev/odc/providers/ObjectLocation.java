package dev.odc.providers;

/**
 * Where an object lives in the cloud's object storage (an S3 or GCS bucket and key).
 *
 * @param bucket the bucket name
 * @param key the object key; no leading slash
 */
public record ObjectLocation(String bucket, String key) {
  public ObjectLocation {
    Labels.notBlank(bucket, "bucket");
    Labels.notBlank(key, "key");
    if (key.startsWith("/")) {
      throw new IllegalArgumentException("key must not start with '/', was '" + key + "'");
    }
  }

  @Override
  public String toString() {
    return bucket + "/" + key;
  }
}
