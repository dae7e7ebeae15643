# Example root module: a GKE cluster for ODC in an existing VPC.
#   terraform init && terraform apply -var-file=odc.tfvars
#   terraform output -json helm_values > odc-values.json   # -f it after values-gke.yaml
terraform {
  required_version = ">= 1.5.0"

  required_providers {
    google = {
      source  = "hashicorp/google"
      version = ">= 5.30, < 7.0"
    }
    random = {
      source  = "hashicorp/random"
      version = ">= 3.5"
    }
  }
}

provider "google" {
  project = var.project_id
  region  = var.region
}

module "odc" {
  source = "../../modules/gke"

  project_id                 = var.project_id
  name                       = var.name
  region                     = var.region
  node_locations             = var.node_locations
  network                    = var.network
  subnetwork                 = var.subnetwork
  master_authorized_networks = var.admin_cidrs
  gpu_node_pools             = var.gpu_node_pools
}
