variable "name" {
  description = "Cluster name."
  type        = string
  default     = "odc"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}[a-z0-9]$", var.name))
    error_message = "name must be 3-32 characters of lower-case letters, digits and hyphens."
  }
}

variable "region" {
  description = "AWS region."
  type        = string
  default     = "eu-west-1"

  validation {
    condition     = can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", var.region))
    error_message = "region must look like eu-west-1."
  }
}

variable "vpc_id" {
  description = "Existing VPC for the cluster."
  type        = string

  validation {
    condition     = can(regex("^vpc-[0-9a-f]{8,17}$", var.vpc_id))
    error_message = "vpc_id must be a VPC id like vpc-0123456789abcdef0."
  }
}

variable "private_subnet_ids" {
  description = "Private subnets in at least two availability zones."
  type        = list(string)

  validation {
    condition     = length(var.private_subnet_ids) >= 2
    error_message = "private_subnet_ids needs at least two subnets."
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

variable "gpu_node_groups" {
  description = "GPU node groups per GPU type (see the eks module's gpu_node_groups)."
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
  default = {
    a100 = { instance_type = "p4d.24xlarge", label_value = "a100", gpus_per_node = 8, max_size = 2 }
    a10g = { instance_type = "g5.12xlarge", label_value = "a10g", gpus_per_node = 4, max_size = 4 }
  }

  validation {
    condition     = length(var.gpu_node_groups) > 0
    error_message = "gpu_node_groups needs at least one GPU type."
  }
}
