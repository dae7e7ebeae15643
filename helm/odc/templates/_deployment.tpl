{{/*
One ODC Deployment. Call with (dict "root" $ "component" "api-service" "values" .Values.apiService
"config" "odc.config.api").
*/}}
{{- define "odc.deployment" -}}
{{- $root := .root -}}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "odc.fullname" $root }}-{{ .component }}
  labels:
    {{- include "odc.labels" $root | nindent 4 }}
    app.kubernetes.io/component: {{ .component }}
spec:
  replicas: {{ .values.replicas }}
  revisionHistoryLimit: 5
  selector:
    matchLabels:
      {{- include "odc.selectorLabels" . | nindent 6 }}
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxUnavailable: 0
      maxSurge: 1
  template:
    metadata:
      labels:
        {{- include "odc.selectorLabels" . | nindent 8 }}
      annotations:
        # Roll the pods when their configuration changes.
        checksum/config: {{ include .config $root | sha256sum }}
    spec:
      serviceAccountName: {{ include "odc.fullname" $root }}-{{ .component }}
      automountServiceAccountToken: {{ ne .component "api-service" }}
      {{- with $root.Values.imagePullSecrets }}
      imagePullSecrets:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      securityContext:
        {{- include "odc.podSecurityContext" $root | nindent 8 }}
      terminationGracePeriodSeconds: 60
      containers:
        - name: {{ .component }}
          image: {{ include "odc.image" (dict "root" $root "name" .component) }}
          imagePullPolicy: {{ $root.Values.image.pullPolicy }}
          command: ["java"]
          args: ["-jar", {{ .values.jar | quote }}, "server", "/etc/odc/config.yml"]
          env:
            {{- include "odc.env" $root | nindent 12 }}
            - name: JAVA_TOOL_OPTIONS
              value: {{ printf "%s -Djava.io.tmpdir=/tmp" .values.javaOpts | quote }}
            {{- with .values.extraEnv }}
            {{- toYaml . | nindent 12 }}
            {{- end }}
          ports:
            - name: http
              containerPort: 8080
              protocol: TCP
            - name: admin
              containerPort: 8081
              protocol: TCP
          {{- include "odc.probes" $root | nindent 10 }}
          resources:
            {{- toYaml .values.resources | nindent 12 }}
          securityContext:
            {{- include "odc.containerSecurityContext" $root | nindent 12 }}
          volumeMounts:
            {{- include "odc.volumeMounts" $root | nindent 12 }}
      volumes:
        {{- include "odc.volumes" (dict "root" $root "component" .component) | nindent 8 }}
      {{- with .values.nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with .values.tolerations }}
      tolerations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- if .values.affinity }}
      affinity:
        {{- toYaml .values.affinity | nindent 8 }}
      {{- else }}
      # Spread replicas over nodes so one node drain never takes a whole component away.
      topologySpreadConstraints:
        - maxSkew: 1
          topologyKey: kubernetes.io/hostname
          whenUnsatisfiable: ScheduleAnyway
          labelSelector:
            matchLabels:
              {{- include "odc.selectorLabels" . | nindent 14 }}
      {{- end }}
{{- if .values.podDisruptionBudget.enabled }}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ include "odc.fullname" $root }}-{{ .component }}
  labels:
    {{- include "odc.labels" $root | nindent 4 }}
    app.kubernetes.io/component: {{ .component }}
spec:
  minAvailable: {{ .values.podDisruptionBudget.minAvailable }}
  selector:
    matchLabels:
      {{- include "odc.selectorLabels" . | nindent 6 }}
{{- end }}
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {{ include "odc.fullname" $root }}-{{ .component }}
  labels:
    {{- include "odc.labels" $root | nindent 4 }}
    app.kubernetes.io/component: {{ .component }}
  {{- if ne .component "api-service" }}
  {{- include "odc.cloudServiceAccountAnnotations" $root | nindent 2 }}
  {{- end }}
automountServiceAccountToken: {{ ne .component "api-service" }}
{{- end -}}
