{{/* Chart name (nameOverride wins). */}}
{{- define "remoteworkload-operator.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Prefix of every resource name: fullnameOverride, else <release>-<name>, or just <release> when
the release name already contains the chart name.
*/}}
{{- define "remoteworkload-operator.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "remoteworkload-operator.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels on every object. */}}
{{- define "remoteworkload-operator.labels" -}}
helm.sh/chart: {{ include "remoteworkload-operator.chart" . }}
{{ include "remoteworkload-operator.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | replace "@" "_" | replace ":" "_" | trunc 63 | trimSuffix "-" | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: remoteworkload-operator
{{- end }}

{{/* Labels that select the operator's pods. */}}
{{- define "remoteworkload-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ include "remoteworkload-operator.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "remoteworkload-operator.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "remoteworkload-operator.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "remoteworkload-operator.image" -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) }}
{{- end }}

{{- define "remoteworkload-operator.leaseName" -}}
{{- default (include "remoteworkload-operator.fullname" .) .Values.leaderElection.leaseName }}
{{- end }}

{{/*
The operator's rules: exactly those of config/rbac/02-cluster-role.yaml (a test compares them).
Read workloads, write only their status; manage token and state Secrets; record Events. The
operator deletes only its own state Secrets once unclaimed for --state-secret-retention (they have
no ownerReference, so the rotated refresh token outlives a deleted-and-re-applied workload);
OwnerReferencesPermissionEnforcement (OpenShift, hardened clusters) also needs `delete` to set an
ownerReference on a token Secret. serviceaccounts get and serviceaccounts/token
create serve clientAuthentication: ServiceAccountToken (docs/api.md, "Blast radius").
*/}}
{{- define "remoteworkload-operator.rules" -}}
- apiGroups: ["workloads.dev"]
  resources: ["remoteworkloads"]
  verbs: ["get", "list", "watch"]
- apiGroups: ["workloads.dev"]
  resources: ["remoteworkloads/status"]
  verbs: ["get", "patch", "update"]
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["get", "list", "watch", "create", "update", "patch", "delete"]
- apiGroups: [""]
  resources: ["serviceaccounts"]
  verbs: ["get"]
- apiGroups: [""]
  resources: ["serviceaccounts/token"]
  verbs: ["create"]
- apiGroups: ["", "events.k8s.io"]
  resources: ["events"]
  verbs: ["create", "patch"]
{{- end }}

{{/* The leader-election rules: exactly those of config/rbac/04-leader-election-role.yaml. */}}
{{- define "remoteworkload-operator.leaderElectionRules" -}}
- apiGroups: ["coordination.k8s.io"]
  resources: ["leases"]
  verbs: ["get", "list", "watch", "create", "update", "patch"]
{{- end }}
