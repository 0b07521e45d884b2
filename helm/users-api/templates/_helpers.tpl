{{/*
Chart name, truncated to 63 characters (DNS label limit).
*/}}
{{- define "users-api.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Full name: <release>-<chart>, or the release name when it already contains the chart name.
*/}}
{{- define "users-api.fullname" -}}
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

{{/*
Chart name and version for the helm.sh/chart label.
*/}}
{{- define "users-api.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Common labels on every object.
*/}}
{{- define "users-api.labels" -}}
helm.sh/chart: {{ include "users-api.chart" . }}
{{ include "users-api.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | trunc 63 | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: users
{{- end }}

{{/*
Selector labels: stable across upgrades (Deployment selectors are immutable).
*/}}
{{- define "users-api.selectorLabels" -}}
app.kubernetes.io/name: {{ include "users-api.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
The avatar sweep's objects (CronJob, its NetworkPolicy): <fullname>-sweep, at most 52 characters (a CronJob's Jobs add 11).
*/}}
{{- define "users-api.sweepName" -}}
{{- printf "%s-sweep" (include "users-api.fullname" .) | trunc 52 | trimSuffix "-" }}
{{- end }}

{{/*
Selector labels of the sweep's pods: never the API's (name <chart>-sweep, component sweep), so that the Service, the
PodDisruptionBudget, the autoscaler's metrics and the topology spread never count a sweep pod as an API pod.
*/}}
{{- define "users-api.sweepSelectorLabels" -}}
app.kubernetes.io/name: {{ printf "%s-sweep" (include "users-api.name" .) | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: sweep
{{- end }}

{{/*
Labels of the sweep's pods (its objects, the CronJob and its NetworkPolicy, carry the common labels and component sweep).
*/}}
{{- define "users-api.sweepPodLabels" -}}
helm.sh/chart: {{ include "users-api.chart" . }}
{{ include "users-api.sweepSelectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | trunc 63 | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: users
{{- end }}

{{/*
ServiceAccount name.
*/}}
{{- define "users-api.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "users-api.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
Image reference: repository@digest, or repository:tag (tag defaults to the appVersion).
*/}}
{{- define "users-api.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) }}
{{- end }}
{{- end }}

{{/*
Name of the Secret holding the static (LocalStack) credentials.
*/}}
{{- define "users-api.credentialsSecretName" -}}
{{- default (printf "%s-aws" (include "users-api.fullname" .)) .Values.staticCredentials.existingSecret }}
{{- end }}

{{/*
In-cluster URL of the Service, used by NOTES.txt and the helm test pods.
*/}}
{{- define "users-api.serviceUrl" -}}
{{- printf "http://%s.%s.svc:%v" (include "users-api.fullname" .) .Release.Namespace .Values.service.port }}
{{- end }}

{{/*
Render-time checks of values that the schema cannot relate to each other.
*/}}
{{- define "users-api.validate" -}}
{{- $needed := add .Values.preStopSleepSeconds .Values.config.shutdownTimeoutSeconds }}
{{- if le (int .Values.terminationGracePeriodSeconds) (int $needed) }}
{{- fail (printf "terminationGracePeriodSeconds (%v) must be greater than preStopSleepSeconds + config.shutdownTimeoutSeconds (%v)" .Values.terminationGracePeriodSeconds $needed) }}
{{- end }}
{{- if and .Values.autoscaling.enabled (lt (int .Values.autoscaling.maxReplicas) (int .Values.autoscaling.minReplicas)) }}
{{- fail "autoscaling.maxReplicas must be at least autoscaling.minReplicas" }}
{{- end }}
{{- end }}
