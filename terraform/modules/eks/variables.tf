variable "name" {
  description = "Name of the EKS cluster; also the prefix of every IAM role, security group and the RDS instance."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}[a-z0-9]$", var.name))
    error_message = "name must be 3-32 characters of lower-case letters, digits and hyphens, starting with a letter."
  }
}

variable "region" {
  description = "AWS region the cluster runs in, e.g. eu-west-1. Passed to the chart as cloud.aws.region."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", var.region))
    error_message = "region must look like eu-west-1 or us-gov-west-1."
  }
}

variable "kubernetes_version" {
  description = "EKS Kubernetes minor version, e.g. 1.31. The chart needs 1.27 or newer."
  type        = string
  default     = "1.31"

  validation {
    condition     = can(regex("^1\\.(2[7-9]|[3-9][0-9])$", var.kubernetes_version))
    error_message = "kubernetes_version must be a minor version 1.27 or newer, like 1.31."
  }
}

variable "vpc_id" {
  description = "VPC the cluster and the database live in."
  type        = string

  validation {
    condition     = can(regex("^vpc-[0-9a-f]{8,17}$", var.vpc_id))
    error_message = "vpc_id must be a VPC id like vpc-0123456789abcdef0."
  }
}

variable "private_subnet_ids" {
  description = "Private subnets (at least two, in different availability zones) for nodes and the database."
  type        = list(string)

  validation {
    condition     = length(var.private_subnet_ids) >= 2 && alltrue([for s in var.private_subnet_ids : can(regex("^subnet-[0-9a-f]{8,17}$", s))])
    error_message = "private_subnet_ids needs at least two subnet ids like subnet-0123456789abcdef0."
  }
}

variable "endpoint_public_access_cidrs" {
  description = "CIDR blocks allowed to reach the public Kubernetes API endpoint. Empty makes the endpoint private only."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for c in var.endpoint_public_access_cidrs : can(cidrhost(c, 0))])
    error_message = "endpoint_public_access_cidrs must contain CIDR blocks like 203.0.113.0/24."
  }
}

variable "system_node_instance_types" {
  description = "Instance types of the node group that runs ODC's own services and cluster add-ons."
  type        = list(string)
  default     = ["m6i.large"]

  validation {
    condition     = length(var.system_node_instance_types) > 0
    error_message = "system_node_instance_types needs at least one instance type."
  }
}

variable "system_node_count" {
  description = "Desired (and minimum) size of the system node group; two or more keeps ODC's PodDisruptionBudgets satisfiable during node upgrades."
  type        = number
  default     = 3

  validation {
    condition     = var.system_node_count >= 2 && var.system_node_count <= 20
    error_message = "system_node_count must be between 2 and 20."
  }
}

variable "gpu_node_groups" {
  description = <<-EOT
    One managed node group per GPU type, keyed by the GPU type name users reserve (e.g. a100).
    label_value is the value of the gpu_node_label_key label the chart's gpuTypes[].nodeLabelValue
    must match; gpus_per_node is the GPU count of instance_type. Nodes are tainted
    nvidia.com/gpu=present:NoSchedule.
  EOT
  type = map(object({
    instance_type = string
    label_value   = string
    gpus_per_node = number
    min_size      = optional(number, 0)
    max_size      = number
    desired_size  = optional(number, 0)
    disk_size_gb  = optional(number, 200)
    capacity_type = optional(string, "ON_DEMAND")
  }))

  validation {
    condition     = length(var.gpu_node_groups) > 0
    error_message = "gpu_node_groups needs at least one GPU type."
  }
  validation {
    condition     = alltrue([for k, g in var.gpu_node_groups : can(regex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", k)) && can(regex("^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$", g.label_value))])
    error_message = "gpu_node_groups keys must be DNS labels (a100, h100-80gb) and label_value a valid Kubernetes label value."
  }
  validation {
    condition     = alltrue([for g in values(var.gpu_node_groups) : g.gpus_per_node >= 1 && g.gpus_per_node <= 16 && g.min_size >= 0 && g.min_size <= g.desired_size && g.desired_size <= g.max_size])
    error_message = "Each GPU node group needs 1-16 gpus_per_node and 0 <= min_size <= desired_size <= max_size."
  }
  validation {
    condition     = alltrue([for g in values(var.gpu_node_groups) : contains(["ON_DEMAND", "SPOT", "CAPACITY_BLOCK"], g.capacity_type)])
    error_message = "capacity_type must be ON_DEMAND, SPOT or CAPACITY_BLOCK."
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
  description = "Namespace the ODC chart is installed in (helm install -n); scopes the IRSA trust policy."
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
  description = "Name of the gp3 StorageClass the chart creates for home disks (storage.storageClassName)."
  type        = string
  default     = "odc-gp3"

  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$", var.storage_class_name))
    error_message = "storage_class_name must be a DNS subdomain name."
  }
}

variable "volume_snapshot_class_name" {
  description = "Name of the EBS VolumeSnapshotClass the chart creates (storage.volumeSnapshotClassName)."
  type        = string
  default     = "odc-ebs-snapshots"

  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$", var.volume_snapshot_class_name))
    error_message = "volume_snapshot_class_name must be a DNS subdomain name."
  }
}

variable "db_instance_class" {
  description = "RDS instance class of ODC's PostgreSQL database."
  type        = string
  default     = "db.t4g.medium"

  validation {
    condition     = can(regex("^db\\.[a-z0-9]+\\.[a-z0-9]+$", var.db_instance_class))
    error_message = "db_instance_class must look like db.t4g.medium."
  }
}

variable "db_engine_version" {
  description = "PostgreSQL major version of the RDS instance (15 or newer)."
  type        = string
  default     = "16"

  validation {
    condition     = can(regex("^1[5-9](\\.[0-9]+)?$", var.db_engine_version))
    error_message = "db_engine_version must be PostgreSQL 15 or newer, like 16 or 16.4."
  }
}

variable "db_allocated_storage_gb" {
  description = "Initial RDS storage in GiB; storage autoscaling may grow it up to four times this."
  type        = number
  default     = 50

  validation {
    condition     = var.db_allocated_storage_gb >= 20 && var.db_allocated_storage_gb <= 16384
    error_message = "db_allocated_storage_gb must be between 20 and 16384."
  }
}

variable "db_backup_retention_days" {
  description = "Days of RDS automated backups (point-in-time recovery window)."
  type        = number
  default     = 14

  validation {
    condition     = var.db_backup_retention_days >= 1 && var.db_backup_retention_days <= 35
    error_message = "db_backup_retention_days must be between 1 and 35."
  }
}

variable "db_multi_az" {
  description = "Run the RDS instance Multi-AZ (a standby in a second zone)."
  type        = bool
  default     = true
}

variable "db_deletion_protection" {
  description = "Refuse to destroy the RDS instance until this is set to false."
  type        = bool
  default     = true
}

variable "tags" {
  description = "Tags added to every AWS resource this module creates."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for k, v in var.tags : length(k) <= 128 && length(v) <= 256])
    error_message = "Tag keys must be at most 128 and values at most 256 characters."
  }
}
