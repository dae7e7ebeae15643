# Google service account for ODC's reservation-processor and cronjobs (Workload Identity), with a
# custom role holding only the disk and snapshot calls ODC makes outside Kubernetes. Compute IAM
# cannot scope these permissions by disk label, so the role is granted on the project; the
# services themselves only touch disks and snapshots labelled for this cluster.

resource "google_service_account" "odc" {
  project      = var.project_id
  account_id   = "${var.name}-odc"
  display_name = "ODC services of ${var.name}"
}

resource "google_project_iam_custom_role" "odc" {
  project     = var.project_id
  role_id     = replace("${var.name}_odc_volumes", "-", "_")
  title       = "ODC volumes and snapshots (${var.name})"
  description = "List, label and clean up the persistent disks and snapshots behind ODC home disks."
  permissions = [
    "compute.disks.get",
    "compute.disks.list",
    "compute.disks.setLabels",
    "compute.disks.delete",
    "compute.snapshots.get",
    "compute.snapshots.list",
    "compute.snapshots.setLabels",
    "compute.snapshots.delete",
    "compute.zones.list",
    "compute.zoneOperations.get",
    "compute.globalOperations.get",
  ]
}

resource "google_project_iam_member" "odc" {
  project = var.project_id
  role    = google_project_iam_custom_role.odc.id
  member  = "serviceAccount:${google_service_account.odc.email}"
}

# Let the two Kubernetes service accounts act as the Google service account.
resource "google_service_account_iam_member" "workload_identity" {
  for_each = toset(local.odc_kubernetes_service_accounts)

  service_account_id = google_service_account.odc.name
  role               = "roles/iam.workloadIdentityUser"
  member             = "serviceAccount:${var.project_id}.svc.id.goog[${var.odc_namespace}/${each.value}]"
}
