{{/*
Dropwizard configuration of each service, with the keys of the services' own config.yml
(api-service/config.yml, reservation-processor/config.yml, cronjobs/config.yml): Dropwizard
rejects unknown keys, so nothing else may appear here. Secrets are never rendered: containers
get them as environment variables and Dropwizard substitutes ${VAR} at start-up (a missing
variable stops start-up with its name).
*/}}
{{- define "odc.config.server" -}}
server:
  applicationConnectors:
    - type: http
      port: 8080
  adminConnectors:
    - type: http
      port: 8081
logging:
  level: {{ .Values.logging.level }}
  loggers:
    dev.odc: {{ .Values.logging.level }}
{{- end -}}

{{- define "odc.config.database" -}}
database:
  driverClass: org.postgresql.Driver
  url: ${ODC_DATABASE_URL}
  user: ${ODC_DATABASE_USER}
  password: ${ODC_DATABASE_PASSWORD}
  # Dropwizard's pool defaults (min and initial 10) exceed small pools and fail validation.
  minSize: 2
  initialSize: 2
  maxSize: {{ .maxSize }}
  validationQuery: "/* odc health */ select 1"
{{- end -}}

{{- define "odc.config.gpuTypes" -}}
gpuTypes:
{{- range .Values.gpuTypes }}
  - name: {{ .name }}
    nodeLabelValue: {{ .nodeLabelValue | quote }}
    gpusPerNode: {{ .gpusPerNode }}
    cpusPerNode: {{ .cpusPerNode | default 0 }}
    memoryGbPerNode: {{ .memoryGbPerNode | default 0 }}
{{- end }}
{{- end -}}

{{- define "odc.config.api" -}}
{{ include "odc.config.server" . }}
{{ include "odc.config.database" (dict "maxSize" .Values.database.pool.maxSize) }}
oidc:
  enabled: true
  issuer: {{ .Values.oidc.issuer | quote }}
  audience: {{ .Values.oidc.audience | quote }}
  clientId: {{ .Values.oidc.clientId | quote }}
  scopes: {{ toJson .Values.oidc.scopes }}
  usernameClaims: {{ toJson .Values.oidc.usernameClaims }}
  groupsClaim: {{ .Values.oidc.groupsClaim | quote }}
  adminGroups: {{ toJson .Values.oidc.adminGroups }}
  allowedAlgorithms: [RS256, RS384, RS512, ES256, ES384]
console:
  enabled: {{ .Values.console.enabled }}
  clientId: {{ .Values.console.clientId | quote }}
  clientSecret: ${ODC_CONSOLE_CLIENT_SECRET:-}
  {{- if .Values.console.publicUrl }}
  publicUrl: {{ .Values.console.publicUrl | quote }}
  {{- else if .Values.apiService.ingress.enabled }}
  publicUrl: {{ printf "https://%s" .Values.apiService.ingress.host | quote }}
  {{- end }}
apiKeys:
  defaultTtl: {{ .Values.apiKeys.defaultTtl }}
  maxTtl: {{ .Values.apiKeys.maxTtl }}
  roleMaxAge: {{ .Values.apiKeys.roleMaxAge }}
aws:
  enabled: {{ .Values.awsLogin.enabled }}
  allowedAccountIds: {{ toJson .Values.awsLogin.allowedAccountIds }}
  allowedArnPatterns: {{ toJson .Values.awsLogin.allowedArnPatterns }}
  users: {{ toJson .Values.awsLogin.users }}
  apiKeyTtl: {{ .Values.awsLogin.apiKeyTtl }}
limits:
  {{- toYaml .Values.limits | nindent 2 }}
ssh:
  maxKeysPerUser: {{ .Values.ssh.maxKeysPerUser }}
  tunnelPorts: {{ toJson .Values.ssh.tunnelPorts }}
{{ include "odc.config.gpuTypes" . }}
defaultImage: {{ include "odc.defaultImage" . | quote }}
# The migration hook Job owns schema changes; replicas starting together must not race on them.
migrateOnStart: {{ not .Values.migrations.enabled }}
{{- end -}}

{{- define "odc.config.processor" -}}
{{ include "odc.config.server" . }}
{{- $workers := int (.Values.processor.workerThreads | default 8) }}
{{ include "odc.config.database" (dict "maxSize" (add $workers 4)) }}
workerThreads: {{ $workers }}
kubernetes:
  # the one namespace setting of the processor: pods, services, claims and snapshots live here
  namespace: {{ .Values.namespaces.reservations }}
storage:
  storageClass: {{ .Values.storage.storageClassName }}
  volumeSnapshotClass: {{ .Values.storage.volumeSnapshotClassName }}
  defaultSizeGb: {{ .Values.limits.defaultDiskSizeGb }}
gpuTypeLabel: {{ .Values.gpuNodeLabelKey }}
# Queue leases are held per replica: the pod name identifies the holder.
workerId: ${ODC_POD_NAME}
defaultImage: {{ include "odc.defaultImage" . | quote }}
{{- end -}}

{{- define "odc.config.cronjobs" -}}
{{ include "odc.config.server" . }}
{{ include "odc.config.database" (dict "maxSize" 8) }}
kubernetes:
  namespace: {{ .Values.namespaces.reservations }}
  gpuTypeLabel: {{ .Values.gpuNodeLabelKey }}
scheduler:
  # Clustered Quartz: each replica needs its own instance id, the pod name.
  instanceId: ${ODC_POD_NAME}
  threads: 4
  clusterCheckin: 15s
  staleAfterIntervals: 3
jobs:
  availability:
    interval: 30s
  expiry:
    interval: 1m
    warningMinutes: {{ toJson .Values.reservations.warningMinutes }}
    grace: {{ .Values.reservations.expiryGrace }}
  snapshotRetention:
    interval: 1h
    keepNewest: {{ .Values.storage.snapshotRetention.keepNewest }}
    maxAge: {{ .Values.storage.snapshotRetention.maxAge }}
    neverReadyLimit: {{ .Values.storage.snapshotRetention.neverReadyLimit }}
    maxDeletionsPerRun: {{ .Values.storage.snapshotRetention.maxDeletionsPerRun }}
  reconciliation:
    interval: 15m
{{- if eq .Values.cloud.provider "aws" }}
# The cloud backend: deletes the cloud snapshot behind a deleted VolumeSnapshot (Retain policy).
cloud:
  type: aws
  region: {{ required "cloud.aws.region is required when cloud.provider is aws" .Values.cloud.aws.region | quote }}
{{- else if eq .Values.cloud.provider "gcp" }}
# The cloud backend: deletes the cloud snapshot behind a deleted VolumeSnapshot (Retain policy).
cloud:
  type: gcp
  project: {{ required "cloud.gcp.project is required when cloud.provider is gcp" .Values.cloud.gcp.project | quote }}
  region: {{ required "cloud.gcp.region is required when cloud.provider is gcp" .Values.cloud.gcp.region | quote }}
{{- end }}
{{- end -}}
