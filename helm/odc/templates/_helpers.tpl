{{/* Base name of every object: <release>-odc unless the release is already called odc. */}}
{{- define "odc.fullname" -}}
{{- if contains "odc" .Release.Name -}}
{{- .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-odc" .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "odc.labels" -}}
app.kubernetes.io/name: odc
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/part-of: odc
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* Selector labels of one component; call with (dict "root" $ "component" "api-service"). */}}
{{- define "odc.selectorLabels" -}}
app.kubernetes.io/name: odc
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "odc.image" -}}
{{- printf "%s/%s:%s" .root.Values.image.registry .name (default .root.Chart.AppVersion .root.Values.image.tag) -}}
{{- end -}}

{{/* The development server's image when a reservation names none: ODC's devserver unless set. */}}
{{- define "odc.defaultImage" -}}
{{- .Values.reservations.defaultImage | default (include "odc.image" (dict "root" . "name" "devserver")) -}}
{{- end -}}

{{/* Service account annotations: IRSA on AWS, Workload Identity on GCP, plus operator extras. */}}
{{- define "odc.cloudServiceAccountAnnotations" -}}
{{- $a := dict -}}
{{- if and (eq .Values.cloud.provider "aws") .Values.cloud.aws.roleArn -}}
{{- $_ := set $a "eks.amazonaws.com/role-arn" .Values.cloud.aws.roleArn -}}
{{- end -}}
{{- if and (eq .Values.cloud.provider "gcp") .Values.cloud.gcp.serviceAccount -}}
{{- $_ := set $a "iam.gke.io/gcp-service-account" .Values.cloud.gcp.serviceAccount -}}
{{- end -}}
{{- $a = merge $a .Values.serviceAccounts.annotations -}}
{{- if $a }}
annotations:
  {{- toYaml $a | nindent 2 }}
{{- end -}}
{{- end -}}

{{- define "odc.databaseSecretName" -}}
{{- if eq .Values.database.mode "external" -}}
{{- .Values.database.external.existingSecret -}}
{{- else -}}
{{- printf "%s-postgresql" (include "odc.fullname" .) -}}
{{- end -}}
{{- end -}}

{{- define "odc.databaseUrl" -}}
{{- if eq .Values.database.mode "external" -}}
{{- .Values.database.external.url -}}
{{- else -}}
{{- printf "jdbc:postgresql://%s-postgresql.%s.svc:5432/%s" (include "odc.fullname" .) .Release.Namespace .Values.database.bundled.database -}}
{{- end -}}
{{- end -}}

{{/* Environment shared by every ODC container: database credentials come from a Secret only. */}}
{{- define "odc.env" -}}
{{- $secret := include "odc.databaseSecretName" . -}}
{{- if and (eq .Values.database.mode "external") .Values.database.external.runtimeSecret -}}
{{- $secret = .Values.database.external.runtimeSecret -}}
{{- end -}}
{{- include "odc.envWith" (dict "root" . "secret" $secret) -}}
{{- end -}}

{{/* The migration Job's environment: the database owner's credentials, never the runtime role's. */}}
{{- define "odc.migrationEnv" -}}
{{- include "odc.envWith" (dict "root" . "secret" (include "odc.databaseSecretName" .)) -}}
{{- end -}}

{{- define "odc.envWith" -}}
{{- $root := .root -}}
- name: ODC_DATABASE_URL
  value: {{ include "odc.databaseUrl" $root | quote }}
- name: ODC_DATABASE_USER
  valueFrom:
    secretKeyRef:
      name: {{ .secret }}
      key: {{ if eq $root.Values.database.mode "external" }}{{ $root.Values.database.external.userKey }}{{ else }}username{{ end }}
- name: ODC_DATABASE_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ .secret }}
      key: {{ if eq $root.Values.database.mode "external" }}{{ $root.Values.database.external.passwordKey }}{{ else }}password{{ end }}
- name: ODC_POD_NAME
  valueFrom:
    fieldRef:
      fieldPath: metadata.name
{{- if eq $root.Values.cloud.provider "aws" }}
- name: AWS_REGION
  value: {{ $root.Values.cloud.aws.region | quote }}
{{- end }}
{{- if eq $root.Values.cloud.provider "gcp" }}
- name: GOOGLE_CLOUD_PROJECT
  value: {{ $root.Values.cloud.gcp.project | quote }}
{{- end }}
{{- end -}}

{{- define "odc.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 10001
runAsGroup: 10001
fsGroup: 10001
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "odc.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
runAsNonRoot: true
capabilities:
  drop: ["ALL"]
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* Probes on the Dropwizard admin connector (8081): /healthcheck runs every registered check. */}}
{{- define "odc.probes" -}}
startupProbe:
  httpGet: {path: /healthcheck, port: admin}
  periodSeconds: 5
  failureThreshold: 36
readinessProbe:
  httpGet: {path: /healthcheck, port: admin}
  periodSeconds: 10
  timeoutSeconds: 5
  failureThreshold: 3
livenessProbe:
  # /ping only says the JVM serves HTTP: a database outage must not restart every pod.
  httpGet: {path: /ping, port: admin}
  periodSeconds: 20
  timeoutSeconds: 5
  failureThreshold: 3
{{- end -}}

{{/* Volumes every ODC pod mounts: its config and a writable /tmp (the root filesystem is read-only). */}}
{{- define "odc.volumes" -}}
- name: config
  configMap:
    name: {{ include "odc.fullname" .root }}-{{ .component }}
- name: tmp
  emptyDir:
    sizeLimit: 256Mi
{{- end -}}

{{- define "odc.volumeMounts" -}}
- name: config
  mountPath: /etc/odc
  readOnly: true
- name: tmp
  mountPath: /tmp
{{- end -}}
