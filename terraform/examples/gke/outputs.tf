output "cluster_name" {
  description = "GKE cluster name."
  value       = module.odc.cluster_name
}

output "project_id" {
  description = "Chart value cloud.gcp.project."
  value       = module.odc.project_id
}

output "region" {
  description = "Chart value cloud.gcp.region."
  value       = module.odc.region
}

output "odc_service_account_email" {
  description = "Chart value cloud.gcp.serviceAccount."
  value       = module.odc.odc_service_account_email
}

output "database_jdbc_url" {
  description = "Chart value database.external.url."
  value       = module.odc.database_jdbc_url
}

output "database_username" {
  description = "Username key of the database Secret."
  value       = module.odc.database_username
}

output "database_password_secret_id" {
  description = "Secret Manager secret with the database password."
  value       = module.odc.database_password_secret_id
}

output "storage_class_name" {
  description = "Chart value storage.storageClassName."
  value       = module.odc.storage_class_name
}

output "volume_snapshot_class_name" {
  description = "Chart value storage.volumeSnapshotClassName."
  value       = module.odc.volume_snapshot_class_name
}

output "gpu_node_label_key" {
  description = "Chart value gpuNodeLabelKey."
  value       = module.odc.gpu_node_label_key
}

output "gpu_types" {
  description = "Chart value gpuTypes."
  value       = module.odc.gpu_types
}

output "reservations_namespace" {
  description = "Chart value namespaces.reservations."
  value       = module.odc.reservations_namespace
}

output "helm_values" {
  description = "Chart values determined by this cluster: terraform output -json helm_values > odc-values.json."
  value       = module.odc.helm_values
}
