{{/*
Dropwizard configuration of each service. Secrets are never rendered here: the containers get
them as environment variables and Dropwizard substitutes ${VAR} at start-up (a missing variable
stops start-up with its name).
*/}}
{{- define "odc.config.common" -}}
server:
  applicationConnectors:
    - type: http
      port: 8080
  adminConnectors:
    - type: http
      port: 8081
logging:
  level: {{ .Values.logging.level }}
  appenders:
    - type: console
      layout:
        type: json
database:
  driverClass: org.postgresql.Driver
  url: ${ODC_DATABASE_URL}
  user: ${ODC_DATABASE_USER}
  password: ${ODC_DATABASE_PASSWORD}
  maxSize: {{ .Values.database.pool.maxSize }}
  validationQuery: "/* odc health */ SELECT 1"
{{- end -}}

{{- define "odc.config.kubernetes" -}}
kubernetes:
  namespace: {{ .Values.namespaces.reservations }}
  gpuTypeLabelKey: {{ .Values.gpuNodeLabelKey }}
  storageClassName: {{ .Values.storage.storageClassName }}
  volumeSnapshotClassName: {{ .Values.storage.volumeSnapshotClassName }}
cloud:
  type: {{ .Values.cloud.provider }}
{{- if eq .Values.cloud.provider "aws" }}
  region: {{ .Values.cloud.aws.region }}
{{- else if eq .Values.cloud.provider "gcp" }}
  project: {{ .Values.cloud.gcp.project }}
  region: {{ .Values.cloud.gcp.region }}
{{- end }}
gpuTypes:
{{- range .Values.gpuTypes }}
  - name: {{ .name }}
    nodeLabelValue: {{ .nodeLabelValue | quote }}
    gpusPerNode: {{ .gpusPerNode }}
{{- end }}
{{- end -}}

{{- define "odc.config.api" -}}
{{ include "odc.config.common" . }}
oidc:
  issuer: {{ .Values.oidc.issuer }}
  audience: {{ .Values.oidc.audience }}
  clientId: {{ .Values.oidc.clientId }}
  scopes: {{ toJson .Values.oidc.scopes }}
  groupsClaim: {{ .Values.oidc.groupsClaim }}
  adminGroup: {{ .Values.oidc.adminGroup }}
limits:
  {{- toYaml .Values.limits | nindent 2 }}
  defaultDiskSizeGi: {{ .Values.storage.defaultDiskSizeGi }}
gpuTypes:
{{- range .Values.gpuTypes }}
  - name: {{ .name }}
    nodeLabelValue: {{ .nodeLabelValue | quote }}
    gpusPerNode: {{ .gpusPerNode }}
{{- end }}
{{- end -}}

{{- define "odc.config.processor" -}}
{{ include "odc.config.common" . }}
{{ include "odc.config.kubernetes" . }}
reservations:
  image: {{ .Values.reservations.image }}
  sshServiceType: {{ .Values.reservations.sshServiceType }}
{{- end -}}

{{- define "odc.config.cronjobs" -}}
{{ include "odc.config.common" . }}
{{ include "odc.config.kubernetes" . }}
quartz:
  # Clustered JDBC job store: each job runs on exactly one of the replicas.
  clustered: true
  instanceId: ${ODC_POD_NAME}
expiry:
  warningMinutes: {{ toJson .Values.reservations.warningMinutes }}
snapshots:
  retention: {{ .Values.storage.snapshotRetention }}
{{- end -}}
