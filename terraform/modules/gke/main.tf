locals {
  labels = merge(var.labels, { "odc-cluster" = var.name })

  # Kubernetes service accounts that call Compute (disk and snapshot reconciliation, orphans).
  odc_kubernetes_service_accounts = [
    "${var.odc_release_name}-reservation-processor",
    "${var.odc_release_name}-cronjobs",
  ]
}

# ---------------------------------------------------------------------------------------------
# Cluster
# ---------------------------------------------------------------------------------------------

resource "google_container_cluster" "this" {
  project        = var.project_id
  name           = var.name
  location       = var.region
  node_locations = var.node_locations

  network    = var.network
  subnetwork = var.subnetwork

  # Node pools are managed below; the default pool is removed right after creation.
  remove_default_node_pool = true
  initial_node_count       = 1

  release_channel {
    channel = var.release_channel
  }

  ip_allocation_policy {
    cluster_secondary_range_name  = var.pods_range_name
    services_secondary_range_name = var.services_range_name
  }

  workload_identity_config {
    workload_pool = "${var.project_id}.svc.id.goog"
  }

  addons_config {
    # PD CSI driver; GKE installs the VolumeSnapshot CRDs and snapshot controller with it.
    gce_persistent_disk_csi_driver_config {
      enabled = true
    }
    http_load_balancing {
      disabled = false
    }
  }

  private_cluster_config {
    enable_private_nodes    = true
    enable_private_endpoint = length(var.master_authorized_networks) == 0
    master_ipv4_cidr_block  = "172.16.0.32/28"
  }

  master_authorized_networks_config {
    dynamic "cidr_blocks" {
      for_each = var.master_authorized_networks
      content {
        cidr_block   = cidr_blocks.value
        display_name = "authorized-${cidr_blocks.key}"
      }
    }
  }

  resource_labels     = local.labels
  deletion_protection = true
}

resource "google_service_account" "nodes" {
  project      = var.project_id
  account_id   = "${var.name}-nodes"
  display_name = "GKE nodes of ${var.name}"
}

resource "google_project_iam_member" "nodes" {
  for_each = toset([
    "roles/logging.logWriter",
    "roles/monitoring.metricWriter",
    "roles/monitoring.viewer",
    "roles/artifactregistry.reader",
  ])
  project = var.project_id
  role    = each.value
  member  = "serviceAccount:${google_service_account.nodes.email}"
}

resource "google_container_node_pool" "system" {
  project    = var.project_id
  name       = "system"
  cluster    = google_container_cluster.this.id
  location   = var.region
  node_count = var.system_node_count

  node_config {
    machine_type    = var.system_machine_type
    service_account = google_service_account.nodes.email
    oauth_scopes    = ["https://www.googleapis.com/auth/cloud-platform"]
    labels          = { "odc.dev/pool" = "system" }
    resource_labels = local.labels

    workload_metadata_config {
      mode = "GKE_METADATA"
    }
    shielded_instance_config {
      enable_secure_boot = true
    }
  }

  management {
    auto_repair  = true
    auto_upgrade = true
  }
}

# One node pool per GPU type, labelled and tainted the way the chart and the processor expect:
# <gpu_node_label_key>=<label_value> and nvidia.com/gpu=present:NoSchedule.
resource "google_container_node_pool" "gpu" {
  for_each = var.gpu_node_pools

  project  = var.project_id
  name     = "gpu-${each.key}"
  cluster  = google_container_cluster.this.id
  location = var.region

  autoscaling {
    total_min_node_count = each.value.min_node_count
    total_max_node_count = each.value.max_node_count
  }

  node_config {
    machine_type    = each.value.machine_type
    disk_size_gb    = each.value.disk_size_gb
    disk_type       = "pd-balanced"
    spot            = each.value.spot
    service_account = google_service_account.nodes.email
    oauth_scopes    = ["https://www.googleapis.com/auth/cloud-platform"]
    resource_labels = local.labels

    guest_accelerator {
      type  = each.value.accelerator
      count = each.value.gpus_per_node
      gpu_driver_installation_config {
        gpu_driver_version = "LATEST"
      }
    }

    # zipmap: the label key is a variable (object keys that are expressions trip simple HCL parsers).
    labels = merge({ "odc.dev/pool" = "gpu" }, zipmap([var.gpu_node_label_key], [each.value.label_value]))

    taint {
      key    = "nvidia.com/gpu"
      value  = "present"
      effect = "NO_SCHEDULE"
    }

    workload_metadata_config {
      mode = "GKE_METADATA"
    }
    shielded_instance_config {
      enable_secure_boot = true
    }
  }

  management {
    auto_repair  = true
    auto_upgrade = true
  }

  lifecycle {
    # The autoscaler owns the node count.
    ignore_changes = [initial_node_count]
  }
}
