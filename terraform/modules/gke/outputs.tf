output "project_id" {
  description = "Google Cloud project; chart value cloud.gcp.project."
  value       = var.project_id
}

output "region" {
  description = "Region; chart value cloud.gcp.region."
  value       = var.region
}

output "cluster_name" {
  description = "GKE cluster name (gcloud container clusters get-credentials <this> --region <region>)."
  value       = google_container_cluster.this.name
}

output "cluster_endpoint" {
  description = "Kubernetes API endpoint."
  value       = google_container_cluster.this.endpoint
}

output "odc_service_account_email" {
  description = "Google service account of ODC's processor and cronjobs (Workload Identity); chart value cloud.gcp.serviceAccount."
  value       = google_service_account.odc.email
}

output "database_jdbc_url" {
  description = "JDBC URL of the Cloud SQL database (private IP); chart value database.external.url."
  value       = "jdbc:postgresql://${google_sql_database_instance.odc.private_ip_address}:5432/${google_sql_database.odc.name}?sslmode=require"
}

output "database_username" {
  description = "Database user; the username key of the chart's database Secret."
  value       = google_sql_user.odc.name
}

output "database_password_secret_id" {
  description = "Secret Manager secret holding the database password."
  value       = google_secret_manager_secret.db_password.secret_id
}

output "storage_class_name" {
  description = "StorageClass name for home disks; chart value storage.storageClassName."
  value       = var.storage_class_name
}

output "volume_snapshot_class_name" {
  description = "VolumeSnapshotClass name; chart value storage.volumeSnapshotClassName."
  value       = var.volume_snapshot_class_name
}

output "gpu_node_label_key" {
  description = "Node label carrying the GPU type; chart value gpuNodeLabelKey."
  value       = var.gpu_node_label_key
}

output "gpu_types" {
  description = "GPU types of the node pools; chart value gpuTypes."
  value = [for name, p in var.gpu_node_pools : {
    name           = name
    nodeLabelValue = p.label_value
    gpusPerNode    = p.gpus_per_node
  }]
}

output "reservations_namespace" {
  description = "Namespace of reservation objects; chart value namespaces.reservations."
  value       = var.reservations_namespace
}

output "helm_values" {
  description = "The chart values this cluster determines, to merge over values-gke.yaml (yamlencode it into a file)."
  value = {
    cloud = {
      provider = "gcp"
      gcp = {
        project        = var.project_id
        region         = var.region
        serviceAccount = google_service_account.odc.email
      }
    }
    database = {
      mode = "external"
      external = {
        url            = "jdbc:postgresql://${google_sql_database_instance.odc.private_ip_address}:5432/${google_sql_database.odc.name}?sslmode=require"
        existingSecret = "odc-database"
      }
    }
    storage = {
      storageClassName          = var.storage_class_name
      volumeSnapshotClassName   = var.volume_snapshot_class_name
      createStorageClass        = true
      createVolumeSnapshotClass = true
    }
    namespaces = {
      reservations = var.reservations_namespace
    }
    gpuNodeLabelKey = var.gpu_node_label_key
    gpuTypes = [for name, p in var.gpu_node_pools : {
      name           = name
      nodeLabelValue = p.label_value
      gpusPerNode    = p.gpus_per_node
    }]
  }
}
