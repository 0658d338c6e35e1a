// Alert rules and the action group they notify. Every rule here has a runbook entry under a heading of its name in
// docs/operations.md (npm run lint:infra checks both). Keyless: the log rules query the Log Analytics workspace behind
// Application Insights (tables AppRequests, AppDependencies, AppTraces, AppExceptions) and the metric rules read Azure
// Monitor metrics; nothing reads an instrumentation key or connection string.
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

@description('ACS calls answered 429 over 15 minutes that raise the throttling alert.')
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
          query: 'AppRequests | summarize total = count(), failed = countif(toint(ResultCode) >= 500) | where total > 0 | extend percent = 100.0 * failed / total'
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
          query: 'AppDependencies | where Target has "communication.azure.com" and ResultCode == "429"'
          timeAggregation: 'Count'
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

// Ready for issue 27's instrumentation: it reads the event lag the chatEvents handling will record (the
// chat.event.lag measure as a trace property or custom metric); until then the query returns nothing and never fires.
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
          query: 'union (AppTraces | where OperationName == "chatEvents" | extend lagMs = todouble(Properties["chat.event.lag_ms"])), (AppMetrics | where Name == "chat.event.lag" | extend lagMs = Sum / iff(ItemCount > 0, ItemCount, 1)) | where isnotnull(lagMs) | summarize p95 = percentile(lagMs, 95)'
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
    description: 'No pruneThreads run succeeded for a day while runs failed. Runbook: docs/operations.md.'
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
          query: 'AppRequests | where OperationName == "pruneThreads" | summarize succeeded = countif(Success == true), failed = countif(Success == false) | where succeeded == 0 and failed > 0'
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
          query: 'AppRequests | where OperationName == "health" and ResultCode != "200"'
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
