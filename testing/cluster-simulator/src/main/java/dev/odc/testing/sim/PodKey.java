package dev.odc.testing.sim;

import io.fabric8.kubernetes.api.model.Pod;

/** A pod's namespace and name; {@link #toString()} is the informer cache's key. */
record PodKey(String namespace, String name) {
  static PodKey of(Pod pod) {
    return new PodKey(pod.getMetadata().getNamespace(), pod.getMetadata().getName());
  }

  @Override
  public String toString() {
    return namespace + "/" + name;
  }
}
