# IAM role for ODC's reservation-processor and cronjobs (IRSA). Least privilege for the volume
# and snapshot calls ODC makes outside Kubernetes: describe (not resource-scoped in EC2), and tag,
# untag or delete only volumes and snapshots this cluster's EBS CSI driver created.

data "aws_iam_policy_document" "odc_assume" {
  statement {
    effect  = "Allow"
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = [aws_iam_openid_connect_provider.this.arn]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.oidc_issuer_host}:aud"
      values   = ["sts.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.oidc_issuer_host}:sub"
      values   = local.odc_service_accounts
    }
  }
}

resource "aws_iam_role" "odc" {
  name               = "${var.name}-odc-services"
  assume_role_policy = data.aws_iam_policy_document.odc_assume.json
  tags               = local.tags
}

data "aws_iam_policy_document" "odc" {
  statement {
    sid    = "Describe"
    effect = "Allow"
    actions = [
      "ec2:DescribeVolumes",
      "ec2:DescribeSnapshots",
      "ec2:DescribeAvailabilityZones",
      "ec2:DescribeTags",
    ]
    resources = ["*"]
  }

  statement {
    sid     = "TagClusterVolumesAndSnapshots"
    effect  = "Allow"
    actions = ["ec2:CreateTags", "ec2:DeleteTags"]
    resources = [
      "arn:${data.aws_partition.current.partition}:ec2:${var.region}:*:volume/*",
      "arn:${data.aws_partition.current.partition}:ec2:${var.region}::snapshot/*",
    ]

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/kubernetes.io/cluster/${var.name}"
      values   = ["owned"]
    }

    # The ownership tag itself is never changed or removed by ODC.
    condition {
      test     = "ForAllValues:StringNotEquals"
      variable = "aws:TagKeys"
      values   = ["kubernetes.io/cluster/${var.name}", "odc.dev/cluster"]
    }
  }

  statement {
    sid     = "DeleteOrphansOfThisCluster"
    effect  = "Allow"
    actions = ["ec2:DeleteVolume", "ec2:DeleteSnapshot"]
    resources = [
      "arn:${data.aws_partition.current.partition}:ec2:${var.region}:*:volume/*",
      "arn:${data.aws_partition.current.partition}:ec2:${var.region}::snapshot/*",
    ]

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/kubernetes.io/cluster/${var.name}"
      values   = ["owned"]
    }
  }
}

resource "aws_iam_role_policy" "odc" {
  name   = "odc-volumes-and-snapshots"
  role   = aws_iam_role.odc.id
  policy = data.aws_iam_policy_document.odc.json
}
