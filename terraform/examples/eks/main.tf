# Example root module: an EKS cluster for ODC in an existing VPC.
#   terraform init && terraform apply -var-file=odc.tfvars
#   terraform output -json helm_values > odc-values.json   # -f it after values-eks.yaml
terraform {
  required_version = ">= 1.5.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.40, < 7.0"
    }
    tls = {
      source  = "hashicorp/tls"
      version = ">= 4.0"
    }
  }
}

provider "aws" {
  region = var.region

  default_tags {
    tags = { "app.kubernetes.io/part-of" = "odc" }
  }
}

module "odc" {
  source = "../../modules/eks"

  name                         = var.name
  region                       = var.region
  vpc_id                       = var.vpc_id
  private_subnet_ids           = var.private_subnet_ids
  endpoint_public_access_cidrs = var.admin_cidrs
  gpu_node_groups              = var.gpu_node_groups
}
