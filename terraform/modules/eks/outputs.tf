output "cluster_name" {
  description = "EKS cluster name (aws eks update-kubeconfig --name <this>)."
  value       = aws_eks_cluster.this.name
}

output "cluster_endpoint" {
  description = "Kubernetes API endpoint."
  value       = aws_eks_cluster.this.endpoint
}

output "region" {
  description = "AWS region; chart value cloud.aws.region."
  value       = var.region
}

output "odc_role_arn" {
  description = "IAM role for ODC's processor and cronjobs service accounts (IRSA); chart value cloud.aws.roleArn."
  value       = aws_iam_role.odc.arn
}

output "ebs_csi_role_arn" {
  description = "IAM role of the EBS CSI controller."
  value       = aws_iam_role.ebs_csi.arn
}

output "database_jdbc_url" {
  description = "JDBC URL of the RDS database; chart value database.external.url."
  value       = "jdbc:postgresql://${aws_db_instance.odc.address}:${aws_db_instance.odc.port}/${aws_db_instance.odc.db_name}?sslmode=require"
}

output "database_username" {
  description = "Database user; the username key of the chart's database Secret."
  value       = aws_db_instance.odc.username
}

output "database_password_secret_arn" {
  description = "Secrets Manager secret holding the RDS master password (JSON with username and password)."
  value       = aws_db_instance.odc.master_user_secret[0].secret_arn
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
  description = "GPU types of the node groups; chart value gpuTypes."
  value = [for name, g in var.gpu_node_groups : {
    name           = name
    nodeLabelValue = g.label_value
    gpusPerNode    = g.gpus_per_node
  }]
}

output "reservations_namespace" {
  description = "Namespace of reservation objects; chart value namespaces.reservations."
  value       = var.reservations_namespace
}

output "helm_values" {
  description = "The chart values this cluster determines, to merge over values-eks.yaml (yamlencode it into a file)."
  value = {
    cloud = {
      provider = "aws"
      aws = {
        region  = var.region
        roleArn = aws_iam_role.odc.arn
      }
    }
    database = {
      mode = "external"
      external = {
        url            = "jdbc:postgresql://${aws_db_instance.odc.address}:${aws_db_instance.odc.port}/${aws_db_instance.odc.db_name}?sslmode=require"
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
    gpuTypes = [for name, g in var.gpu_node_groups : {
      name           = name
      nodeLabelValue = g.label_value
      gpusPerNode    = g.gpus_per_node
    }]
  }
}
