// Alert rules and the action group they notify. Every rule here has a runbook entry under a heading of its name in
// docs/operations.md (npm run lint:infra checks both). Keyless: the log rules query the Log Analytics workspace behind
// Application Insights and the metric rules read Azure Monitor metrics; nothing reads an instrumentation key or
// connection string.
//
// The log rules read the app's OpenTelemetry spans (host.json telemetryMode OpenTelemetry; names in
// src/telemetry/catalogue.ts). The worker's exporter writes SERVER spans to AppRequests and INTERNAL and CLIENT spans to
// AppDependencies: in Azure the app's spans are children of the Functions host's invocation span, so they land in
// AppDependencies, and without a host parent in AppRequests; the queries read both. Span attributes are in Properties,
// except the http.* ones: the HTTP status is ResultCode. The host's own invocation span also carries faas.name and
// faas.trigger; the queries either read attributes only the app's spans have, count each trace once, or (5xx-rate,
// health-failing) keep only rows with an HTTP status, where the host's row, if it has one, has the app's status.
//
// API versions (azure-rest-api-specs, specification/monitor/resource-manager/Microsoft.Insights/stable/):
// actionGroups 2023-01-01, metricAlerts 2018-03-01, scheduledQueryRules 2023-12-01.

@description('Prefix of every alert rule name (e.g. the resource token).')
param namePrefix string

@description('Azure region of the log alert rules (that of the workspace).')
param location string = resourceGroup().location

@description('Tags applied to the alert resources.')
param tags object = {}

@description('Address that alerts email (ALERT_EMAIL); empty creates the action group with no receiver.')
param alertEmail string = ''

@description('Name of the Log Analytics workspace behind Application Insights.')
param logAnalyticsName string

@description('Name of the Event Grid system topic that delivers chat events.')
param eventGridSystemTopicName string

@description('Share of requests, in percent, answered 5xx over 15 minutes that raises the 5xx alert.')
param serverErrorPercentThreshold int = 5

@description('ACS calls (identity, chat, email) answered 429 over 15 minutes that raise the throttling alert.')
param acsThrottledThreshold int = 10

@description('p95 of chat event lag (event time to handled), in milliseconds, that raises the lag alert.')
param eventLagP95ThresholdMs int = 60000

resource logAnalytics 'Microsoft.OperationalInsights/workspaces@2023-09-01' existing = {
  name: logAnalyticsName
}

resource systemTopic 'Microsoft.EventGrid/systemTopics@2025-02-15' existing = {
  name: eventGridSystemTopicName
}

// Action groups are global. Short name: at most 12 characters, shown in the email subject.
resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = {
  name: '${namePrefix}-chat-alerts'
  location: 'global'
  tags: tags
  properties: {
    groupShortName: 'chatalerts'
    enabled: true
    emailReceivers: empty(alertEmail)
      ? []
      : [
          {
            name: 'operator'
            emailAddress: alertEmail
            useCommonAlertSchema: true
          }
        ]
  }
}

var actions = {
  actionGroups: [
    actionGroup.id
  ]
}

// One row per HTTP invocation span with an HTTP status (the app's span, and the host's if it carries the status too:
// both have the same one, so the share of 5xx is right either way).
var serverErrorQuery = '''
union AppRequests, AppDependencies
| where tostring(Properties["faas.trigger"]) == "http"
| extend status = toint(ResultCode)
| where status between (100 .. 599)
| summarize total = count(), failed = countif(status >= 500)
| where total > 0
| extend percent = 100.0 * failed / total
'''

// Every attempt at an ACS call is a CLIENT span; the app retries 429s with backoff, so a few are absorbed. A count, not
// a share: ACS quotas are absolute, and at low traffic a share of a handful of calls says little.
// From the chat.upstream.calls metric, which counts every call whatever TELEMETRY_SAMPLING_RATIO keeps of the spans.
var acsThrottledQuery = '''
AppMetrics
| where Name == "chat.upstream.calls"
    and tostring(Properties["chat.upstream.service"]) startswith "acs."
    and tostring(Properties["chat.upstream.status"]) == "429"
| summarize throttled = sum(Sum)
'''

// The lag is an attribute of each chatEvents handling span: AppMetrics holds the chat.event.lag histogram only as sum,
// count, min and max per minute, which has no percentiles.
var eventLagQuery = '''
union AppRequests, AppDependencies
| where tostring(Properties["faas.name"]) == "chatEvents"
| extend lagMs = todouble(tostring(Properties["chat.event.lag_ms"]))
| where isnotnull(lagMs)
| summarize p95 = percentile(lagMs, 95)
'''

// One row per pruneThreads run (its trace: the app's span and the host's invocation span, when there is one): failed
// when either failed, complete when the app's span says chat.run.complete (false when the budget ran out and threads
// were deferred to the next run).
var pruneRunsQuery = '''
union AppRequests, AppDependencies
| where Name == "pruneThreads" and tostring(Properties["faas.trigger"]) == "timer"
| summarize failed = countif(Success == false), complete = countif(tobool(tostring(Properties["chat.run.complete"]))) by OperationId
| summarize runs = count(), failedRuns = countif(failed > 0), completeRuns = countif(complete > 0)
'''

var healthFailingQuery = '''
union AppRequests, AppDependencies
| where tostring(Properties["faas.name"]) == "health" and tostring(Properties["faas.trigger"]) == "http"
| extend status = toint(ResultCode)
| where status between (100 .. 599) and status != 200
'''

resource serverErrorRate 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: '${namePrefix}-5xx-rate'
  location: location
  tags: tags
  properties: {
    displayName: '${namePrefix}-5xx-rate'
    description: 'More than ${serverErrorPercentThreshold}% of API requests answered 5xx over 15 minutes. Runbook: docs/operations.md.'
    severity: 1
    enabled: true
    scopes: [
      logAnalytics.id
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    criteria: {
      allOf: [
        {
          query: serverErrorQuery
          timeAggregation: 'Maximum'
          metricMeasureColumn: 'percent'
          operator: 'GreaterThan'
          threshold: serverErrorPercentThreshold
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    actions: actions
  }
}

resource eventsDeadLettered 'Microsoft.Insights/metricAlerts@2018-03-01' = {
  name: '${namePrefix}-events-dead-lettered'
  location: 'global'
  tags: tags
  properties: {
    description: 'Event Grid dead-lettered at least one chat event. Runbook: docs/operations.md.'
    severity: 1
    enabled: true
    scopes: [
      systemTopic.id
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
      allOf: [
        {
          criterionType: 'StaticThresholdCriterion'
          name: 'DeadLettered'
          metricName: 'DeadLetteredCount'
          metricNamespace: 'Microsoft.EventGrid/systemTopics'
          timeAggregation: 'Total'
          operator: 'GreaterThan'
          threshold: 0
        }
      ]
    }
    actions: [
      {
        actionGroupId: actionGroup.id
      }
    ]
  }
}

resource eventDeliveryFailures 'Microsoft.Insights/metricAlerts@2018-03-01' = {
  name: '${namePrefix}-event-delivery-failures'
  location: 'global'
  tags: tags
  properties: {
    description: 'Event Grid failed to deliver chat events to the function app (it retries before dead-lettering). Runbook: docs/operations.md.'
    severity: 2
    enabled: true
    scopes: [
      systemTopic.id
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
      allOf: [
        {
          criterionType: 'StaticThresholdCriterion'
          name: 'DeliveryFailed'
          metricName: 'DeliveryAttemptFailCount'
          metricNamespace: 'Microsoft.EventGrid/systemTopics'
          timeAggregation: 'Total'
          operator: 'GreaterThan'
          threshold: 0
        }
      ]
    }
    actions: [
      {
        actionGroupId: actionGroup.id
      }
    ]
  }
}

resource acsThrottled 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: '${namePrefix}-acs-throttled'
  location: location
  tags: tags
  properties: {
    displayName: '${namePrefix}-acs-throttled'
    description: 'ACS answered more than ${acsThrottledThreshold} calls with 429 over 15 minutes. Runbook: docs/operations.md.'
    severity: 2
    enabled: true
    scopes: [
      logAnalytics.id
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    criteria: {
      allOf: [
        {
          query: acsThrottledQuery
          timeAggregation: 'Total'
          metricMeasureColumn: 'throttled'
          operator: 'GreaterThan'
          threshold: acsThrottledThreshold
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    actions: actions
  }
}

resource eventLag 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: '${namePrefix}-event-lag-p95'
  location: location
  tags: tags
  properties: {
    displayName: '${namePrefix}-event-lag-p95'
    description: 'p95 of chat event lag (event time to handled) above ${eventLagP95ThresholdMs} ms over 15 minutes. Runbook: docs/operations.md.'
    severity: 2
    enabled: true
    scopes: [
      logAnalytics.id
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    criteria: {
      allOf: [
        {
          query: eventLagQuery
          timeAggregation: 'Maximum'
          metricMeasureColumn: 'p95'
          operator: 'GreaterThan'
          threshold: eventLagP95ThresholdMs
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    actions: actions
  }
}

resource pruningFailing 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: '${namePrefix}-pruning-failing'
  location: location
  tags: tags
  properties: {
    displayName: '${namePrefix}-pruning-failing'
    description: 'Every pruneThreads run of the last day failed. Runbook: docs/operations.md.'
    severity: 3
    enabled: true
    scopes: [
      logAnalytics.id
    ]
    evaluationFrequency: 'PT1H'
    windowSize: 'P1D'
    criteria: {
      allOf: [
        {
          query: '${pruneRunsQuery}| where runs > 0 and failedRuns == runs\n'
          timeAggregation: 'Count'
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    actions: actions
  }
}

// Runs that succeed but stop at their budget leave idle threads for the next run; a day of nothing but such runs means
// pruning is falling behind. Runs that failed are pruning-failing's.
resource pruningDeferring 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: '${namePrefix}-pruning-deferring'
  location: location
  tags: tags
  properties: {
    displayName: '${namePrefix}-pruning-deferring'
    description: 'pruneThreads ran in the last day but no run finished its work: every successful run deferred threads. Runbook: docs/operations.md.'
    severity: 3
    enabled: true
    scopes: [
      logAnalytics.id
    ]
    evaluationFrequency: 'PT1H'
    windowSize: 'P1D'
    criteria: {
      allOf: [
        {
          query: '${pruneRunsQuery}| where runs > failedRuns and completeRuns == 0\n'
          timeAggregation: 'Count'
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    actions: actions
  }
}

resource healthProbeFailing 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: '${namePrefix}-health-failing'
  location: location
  tags: tags
  properties: {
    displayName: '${namePrefix}-health-failing'
    description: 'GET /api/health answered other than 200 in the last 15 minutes. Runbook: docs/operations.md.'
    severity: 1
    enabled: true
    scopes: [
      logAnalytics.id
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    criteria: {
      allOf: [
        {
          query: healthFailingQuery
          timeAggregation: 'Count'
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    actions: actions
  }
}

output actionGroupName string = actionGroup.name
