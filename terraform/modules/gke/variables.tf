variable "project_id" {
  description = "Google Cloud project the cluster, database and service account live in; chart value cloud.gcp.project."
  type        = string

  validation {
    condition     = can(regex("^[a-z][-a-z0-9]{4,28}[a-z0-9]$", var.project_id))
    error_message = "project_id must be a project id: 6-30 lower-case letters, digits or hyphens, starting with a letter."
  }
}

variable "name" {
  description = "Name of the GKE cluster; also the prefix of the Cloud SQL instance and the service account."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,20}[a-z0-9]$", var.name))
    error_message = "name must be 3-22 characters of lower-case letters, digits and hyphens, starting with a letter."
  }
}

variable "region" {
  description = "Region of the (regional) cluster and the database, e.g. europe-west4; chart value cloud.gcp.region."
  type        = string

  validation {
    condition     = can(regex("^[a-z]+-[a-z]+[0-9]$", var.region))
    error_message = "region must look like europe-west4 or us-central1."
  }
}

variable "node_locations" {
  description = "Zones of the region that get nodes. GPU node pools only use zones that offer their accelerator; list those here."
  type        = list(string)

  validation {
    condition     = length(var.node_locations) > 0 && alltrue([for z in var.node_locations : can(regex("^[a-z]+-[a-z]+[0-9]-[a-z]$", z))])
    error_message = "node_locations needs at least one zone like europe-west4-a."
  }
}

variable "network" {
  description = "Self link or name of the VPC network the cluster and Cloud SQL's private IP use."
  type        = string

  validation {
    condition     = length(var.network) > 0
    error_message = "network must name a VPC network."
  }
}

variable "subnetwork" {
  description = "Subnetwork of the nodes; it needs secondary ranges named by pods_range_name and services_range_name."
  type        = string

  validation {
    condition     = length(var.subnetwork) > 0
    error_message = "subnetwork must name a subnetwork."
  }
}

variable "pods_range_name" {
  description = "Secondary range of the subnetwork used for pod IPs (VPC-native cluster)."
  type        = string
  default     = "pods"

  validation {
    condition     = can(regex("^[a-z]([-a-z0-9]*[a-z0-9])?$", var.pods_range_name))
    error_message = "pods_range_name must be a secondary range name."
  }
}

variable "services_range_name" {
  description = "Secondary range of the subnetwork used for service IPs."
  type        = string
  default     = "services"

  validation {
    condition     = can(regex("^[a-z]([-a-z0-9]*[a-z0-9])?$", var.services_range_name))
    error_message = "services_range_name must be a secondary range name."
  }
}

variable "master_authorized_networks" {
  description = "CIDR blocks allowed to reach the Kubernetes API endpoint."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for c in var.master_authorized_networks : can(cidrhost(c, 0))])
    error_message = "master_authorized_networks must contain CIDR blocks like 203.0.113.0/24."
  }
}

variable "release_channel" {
  description = "GKE release channel."
  type        = string
  default     = "REGULAR"

  validation {
    condition     = contains(["RAPID", "REGULAR", "STABLE"], var.release_channel)
    error_message = "release_channel must be RAPID, REGULAR or STABLE."
  }
}

variable "system_machine_type" {
  description = "Machine type of the node pool running ODC's services and cluster add-ons."
  type        = string
  default     = "e2-standard-4"

  validation {
    condition     = can(regex("^[a-z0-9]+-[a-z0-9-]+$", var.system_machine_type))
    error_message = "system_machine_type must be a machine type like e2-standard-4."
  }
}

variable "system_node_count" {
  description = "Nodes per zone in the system pool; two or more nodes in total keep ODC's PodDisruptionBudgets satisfiable during upgrades."
  type        = number
  default     = 1

  validation {
    condition     = var.system_node_count >= 1 && var.system_node_count <= 10
    error_message = "system_node_count must be between 1 and 10 per zone."
  }
}

variable "gpu_node_pools" {
  description = <<-EOT
    One node pool per GPU type, keyed by the GPU type name users reserve (e.g. a100). accelerator
    is the GKE accelerator type (nvidia-tesla-a100, nvidia-l4, ...), gpus_per_node its count per
    node (must match the machine type), label_value the value of gpu_node_label_key that the
    chart's gpuTypes[].nodeLabelValue matches. Nodes are tainted nvidia.com/gpu=present:NoSchedule
    and get GKE-managed NVIDIA drivers.
  EOT
  type = map(object({
    machine_type   = string
    accelerator    = string
    gpus_per_node  = number
    label_value    = string
    min_node_count = optional(number, 0)
    max_node_count = number
    disk_size_gb   = optional(number, 200)
    spot           = optional(bool, false)
  }))

  validation {
    condition     = length(var.gpu_node_pools) > 0
    error_message = "gpu_node_pools needs at least one GPU type."
  }
  validation {
    condition     = alltrue([for k, p in var.gpu_node_pools : can(regex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", k)) && can(regex("^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$", p.label_value))])
    error_message = "gpu_node_pools keys must be DNS labels (a100, l4) and label_value a valid Kubernetes label value."
  }
  validation {
    condition     = alltrue([for p in values(var.gpu_node_pools) : startswith(p.accelerator, "nvidia-") && p.gpus_per_node >= 1 && p.gpus_per_node <= 16 && p.min_node_count >= 0 && p.min_node_count <= p.max_node_count])
    error_message = "Each GPU node pool needs an nvidia-* accelerator, 1-16 gpus_per_node and 0 <= min_node_count <= max_node_count."
  }
}

variable "gpu_node_label_key" {
  description = "Node label that carries the GPU type; the chart's gpuNodeLabelKey."
  type        = string
  default     = "odc.dev/gpu-type"

  validation {
    condition     = can(regex("^([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$", var.gpu_node_label_key))
    error_message = "gpu_node_label_key must be a valid Kubernetes label key such as odc.dev/gpu-type."
  }
}

variable "odc_namespace" {
  description = "Namespace the ODC chart is installed in (helm install -n); scopes the Workload Identity bindings."
  type        = string
  default     = "odc"

  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", var.odc_namespace)) && length(var.odc_namespace) <= 63
    error_message = "odc_namespace must be a Kubernetes namespace name."
  }
}

variable "odc_release_name" {
  description = "Helm release name of ODC; service accounts are <release>-reservation-processor and <release>-cronjobs (a release named odc gives odc-reservation-processor)."
  type        = string
  default     = "odc"

  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", var.odc_release_name)) && length(var.odc_release_name) <= 40
    error_message = "odc_release_name must be a Helm release name (lower-case, at most 40 characters)."
  }
}

variable "reservations_namespace" {
  description = "Namespace reservation pods, PVCs and VolumeSnapshots live in; the chart's namespaces.reservations."
  type        = string
  default     = "odc-reservations"

  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", var.reservations_namespace)) && length(var.reservations_namespace) <= 63
    error_message = "reservations_namespace must be a Kubernetes namespace name."
  }
}

variable "storage_class_name" {
  description = "Name of the pd-balanced StorageClass the chart creates for home disks (storage.storageClassName)."
  type        = string
  default     = "odc-pd-balanced"

  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$", var.storage_class_name))
    error_message = "storage_class_name must be a DNS subdomain name."
  }
}

variable "volume_snapshot_class_name" {
  description = "Name of the PD VolumeSnapshotClass the chart creates (storage.volumeSnapshotClassName)."
  type        = string
  default     = "odc-pd-snapshots"

  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$", var.volume_snapshot_class_name))
    error_message = "volume_snapshot_class_name must be a DNS subdomain name."
  }
}

variable "db_tier" {
  description = "Cloud SQL machine tier of ODC's PostgreSQL database."
  type        = string
  default     = "db-custom-2-7680"

  validation {
    condition     = can(regex("^db-(custom-[0-9]+-[0-9]+|f1-micro|g1-small|perf-optimized-N-[0-9]+)$", var.db_tier))
    error_message = "db_tier must be a Cloud SQL tier like db-custom-2-7680."
  }
}

variable "db_version" {
  description = "Cloud SQL PostgreSQL version (15 or newer)."
  type        = string
  default     = "POSTGRES_16"

  validation {
    condition     = can(regex("^POSTGRES_1[5-9]$", var.db_version))
    error_message = "db_version must be POSTGRES_15 or newer."
  }
}

variable "db_disk_size_gb" {
  description = "Initial Cloud SQL disk size in GB (grows automatically)."
  type        = number
  default     = 50

  validation {
    condition     = var.db_disk_size_gb >= 10 && var.db_disk_size_gb <= 65536
    error_message = "db_disk_size_gb must be between 10 and 65536."
  }
}

variable "db_backup_retention_days" {
  description = "Number of automated Cloud SQL backups kept (one per day); point-in-time recovery covers the same window."
  type        = number
  default     = 14

  validation {
    condition     = var.db_backup_retention_days >= 1 && var.db_backup_retention_days <= 365
    error_message = "db_backup_retention_days must be between 1 and 365."
  }
}

variable "db_high_availability" {
  description = "Run Cloud SQL as REGIONAL (a standby in a second zone) instead of ZONAL."
  type        = bool
  default     = true
}

variable "db_deletion_protection" {
  description = "Refuse to destroy the Cloud SQL instance until this is set to false."
  type        = bool
  default     = true
}

variable "create_private_service_access" {
  description = "Reserve a range and peer the VPC with Google's service network for Cloud SQL private IP. Set false when the VPC already has private service access."
  type        = bool
  default     = true
}

variable "labels" {
  description = "Labels added to every Google Cloud resource this module creates."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for k, v in var.labels : can(regex("^[a-z][-_a-z0-9]{0,62}$", k)) && can(regex("^[-_a-z0-9]{0,63}$", v))])
    error_message = "Label keys must start with a lower-case letter; keys and values use lower-case letters, digits, - and _ (63 characters at most)."
  }
}
