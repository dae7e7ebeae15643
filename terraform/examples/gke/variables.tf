variable "project_id" {
  description = "Google Cloud project."
  type        = string

  validation {
    condition     = can(regex("^[a-z][-a-z0-9]{4,28}[a-z0-9]$", var.project_id))
    error_message = "project_id must be a Google Cloud project id."
  }
}

variable "name" {
  description = "Cluster name."
  type        = string
  default     = "odc"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,20}[a-z0-9]$", var.name))
    error_message = "name must be 3-22 characters of lower-case letters, digits and hyphens."
  }
}

variable "region" {
  description = "Region of the cluster and database."
  type        = string
  default     = "europe-west4"

  validation {
    condition     = can(regex("^[a-z]+-[a-z]+[0-9]$", var.region))
    error_message = "region must look like europe-west4."
  }
}

variable "node_locations" {
  description = "Zones with nodes; pick zones that offer the GPU accelerators below."
  type        = list(string)
  default     = ["europe-west4-a", "europe-west4-b"]

  validation {
    condition     = length(var.node_locations) > 0
    error_message = "node_locations needs at least one zone."
  }
}

variable "network" {
  description = "Existing VPC network."
  type        = string

  validation {
    condition     = length(var.network) > 0
    error_message = "network must name a VPC network."
  }
}

variable "subnetwork" {
  description = "Existing subnetwork with secondary ranges named pods and services."
  type        = string

  validation {
    condition     = length(var.subnetwork) > 0
    error_message = "subnetwork must name a subnetwork."
  }
}

variable "admin_cidrs" {
  description = "CIDR blocks of the operators allowed to reach the Kubernetes API."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for c in var.admin_cidrs : can(cidrhost(c, 0))])
    error_message = "admin_cidrs must contain CIDR blocks."
  }
}

variable "gpu_node_pools" {
  description = "GPU node pools per GPU type (see the gke module's gpu_node_pools)."
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
  default = {
    a100 = { machine_type = "a2-highgpu-8g", accelerator = "nvidia-tesla-a100", gpus_per_node = 8, label_value = "a100", max_node_count = 2 }
    l4   = { machine_type = "g2-standard-48", accelerator = "nvidia-l4", gpus_per_node = 4, label_value = "l4", max_node_count = 4 }
  }

  validation {
    condition     = length(var.gpu_node_pools) > 0
    error_message = "gpu_node_pools needs at least one GPU type."
  }
}
