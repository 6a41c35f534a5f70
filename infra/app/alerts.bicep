// Alerts: dead letters, a growing backlog, the oldest message's age, function failures and slow
// Graph webhooks. Metric alerts read Service Bus's own metrics (a topic is one entity there); the
// log alerts read the custom metrics the publish_queue_metrics timer sends to Application Insights:
//   loket.queue.active_messages, loket.queue.dead_lettered_messages, loket.queue.scheduled_messages,
//   loket.queue.oldest_message_age_seconds   (dimension `entity`: QUEUE or TOPIC/SUBSCRIPTION)
param namePrefix string
param serviceBusNamespaceId string
param applicationInsightsId string
@description('The Event Grid system topic of the scan storage account (BlobCreated -> capture_letter).')
param scanSystemTopicId string
@description('The Key Vault holding the Graph certificate: its near-expiry and expired events raise an alert.')
param keyVaultId string
@description('Key Vault name, for the name of its event topic.')
param keyVaultName string
param alertEmail string = ''
param location string = resourceGroup().location
param tags object = {}

@description('Oldest active message older than this (seconds) raises an alert.')
param oldestMessageAgeThresholdSeconds int = 900

@description('A Graph webhook slower than this (ms, 95th percentile over 15 minutes) raises an alert.')
param webhookLatencyThresholdMs int = 1000

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = {
  name: '${namePrefix}-operators'
  location: 'global'
  tags: tags
  properties: {
    groupShortName: 'loket-ops'
    enabled: true
    emailReceivers: empty(alertEmail) ? [] : [
      {
        name: 'operators'
        emailAddress: alertEmail
        useCommonAlertSchema: true
      }
    ]
  }
}

resource deadLettered 'Microsoft.Insights/metricAlerts@2018-03-01' = {
  name: '${namePrefix}-dead-lettered'
  location: 'global'
  tags: tags
  properties: {
    description: 'A queue or topic has dead-lettered messages: see `loket queues` and replay with `loket replay dlq`.'
    severity: 2
    enabled: true
    scopes: [
      serviceBusNamespaceId
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT5M'
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
      allOf: [
        {
          name: 'DeadletteredMessages'
          criterionType: 'StaticThresholdCriterion'
          metricNamespace: 'Microsoft.ServiceBus/namespaces'
          metricName: 'DeadletteredMessages'
          operator: 'GreaterThan'
          threshold: 0
          timeAggregation: 'Maximum'
          dimensions: [
            {
              name: 'EntityName'
              operator: 'Include'
              values: [
                '*'
              ]
            }
          ]
        }
      ]
    }
    autoMitigate: true
    actions: [
      {
        actionGroupId: actionGroup.id
      }
    ]
  }
}

resource throttled 'Microsoft.Insights/metricAlerts@2018-03-01' = {
  name: '${namePrefix}-throttled'
  location: 'global'
  tags: tags
  properties: {
    description: 'Service Bus throttles requests: runtime counts read 0 meanwhile; consider Premium.'
    severity: 3
    enabled: true
    scopes: [
      serviceBusNamespaceId
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
      allOf: [
        {
          name: 'ThrottledRequests'
          criterionType: 'StaticThresholdCriterion'
          metricNamespace: 'Microsoft.ServiceBus/namespaces'
          metricName: 'ThrottledRequests'
          operator: 'GreaterThan'
          threshold: 0
          timeAggregation: 'Total'
        }
      ]
    }
    autoMitigate: true
    actions: [
      {
        actionGroupId: actionGroup.id
      }
    ]
  }
}

// Active messages higher at each 5-minute mark than at the one before, for 15 minutes, per queue
// and per subscription (the custom metric splits a topic by subscription; Azure Monitor does not).
resource activeGrowing 'Microsoft.Insights/scheduledQueryRules@2023-03-15-preview' = {
  name: '${namePrefix}-active-growing'
  location: location
  tags: tags
  properties: {
    displayName: '${namePrefix}: active messages growing for 15 minutes'
    description: 'A consumer is behind or stalled: check function failures and `loket queues`.'
    severity: 2
    enabled: true
    evaluationFrequency: 'PT5M'
    // Log alerts accept 5, 10, 15, 30, 45 minutes, 1–6 hours, 1 or 2 days (not 20 minutes): the
    // query reads 30 minutes and keeps the last 20 itself, i.e. four 5-minute marks, three steps.
    windowSize: 'PT30M'
    scopes: [
      applicationInsightsId
    ]
    criteria: {
      allOf: [
        {
          query: '''
customMetrics
| where name == "loket.queue.active_messages" and timestamp > ago(20m)
| extend entity = tostring(customDimensions["entity"])
| summarize active = max(value) by entity, mark = bin(timestamp, 5m)
| order by entity asc, mark asc
| extend previous = prev(active), previous_entity = prev(entity)
| where previous_entity == entity
| summarize rises = countif(active > previous), steps = count() by entity
| where steps >= 3 and rises == steps
'''
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
    autoMitigate: true
    actions: {
      actionGroups: [
        actionGroup.id
      ]
    }
  }
}

resource oldestAge 'Microsoft.Insights/scheduledQueryRules@2023-03-15-preview' = {
  name: '${namePrefix}-oldest-message-age'
  location: location
  tags: tags
  properties: {
    displayName: '${namePrefix}: oldest active message too old'
    description: 'A message has waited longer than the threshold (metric loket.queue.oldest_message_age_seconds).'
    severity: 2
    enabled: true
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    scopes: [
      applicationInsightsId
    ]
    criteria: {
      allOf: [
        {
          query: '''
customMetrics
| where name == "loket.queue.oldest_message_age_seconds"
| extend entity = tostring(customDimensions["entity"])
| summarize age_seconds = max(value) by entity
'''
          timeAggregation: 'Maximum'
          metricMeasureColumn: 'age_seconds'
          dimensions: [
            {
              name: 'entity'
              operator: 'Include'
              values: [
                '*'
              ]
            }
          ]
          operator: 'GreaterThan'
          threshold: oldestMessageAgeThresholdSeconds
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: true
    actions: {
      actionGroups: [
        actionGroup.id
      ]
    }
  }
}

// No queue figures for 15 minutes: the metrics timer is not running, so the alerts above are blind.
resource metricsSilent 'Microsoft.Insights/scheduledQueryRules@2023-03-15-preview' = {
  name: '${namePrefix}-queue-metrics-silent'
  location: location
  tags: tags
  properties: {
    displayName: '${namePrefix}: no queue figures for 15 minutes'
    description: 'publish_queue_metrics sent nothing: unknown is not zero.'
    severity: 2
    enabled: true
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    scopes: [
      applicationInsightsId
    ]
    criteria: {
      allOf: [
        {
          query: '''
customMetrics
| where name == "loket.queue.active_messages"
'''
          timeAggregation: 'Count'
          operator: 'LessThan'
          threshold: 1
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: true
    actions: {
      actionGroups: [
        actionGroup.id
      ]
    }
  }
}

resource functionFailures 'Microsoft.Insights/scheduledQueryRules@2023-03-15-preview' = {
  name: '${namePrefix}-function-failures'
  location: location
  tags: tags
  properties: {
    displayName: '${namePrefix}: function failures'
    description: 'Function invocations failed; the failure log and dead letters say which and why.'
    severity: 2
    enabled: true
    evaluationFrequency: 'PT5M'
    windowSize: 'PT5M'
    scopes: [
      applicationInsightsId
    ]
    criteria: {
      allOf: [
        {
          query: '''
requests
| where success == false
| summarize failures = count() by operation_Name
'''
          timeAggregation: 'Total'
          metricMeasureColumn: 'failures'
          dimensions: [
            {
              name: 'operation_Name'
              operator: 'Include'
              values: [
                '*'
              ]
            }
          ]
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: true
    actions: {
      actionGroups: [
        actionGroup.id
      ]
    }
  }
}

// Graph wants an answer within about 3 s and drops slow endpoints: alert well before that.
resource webhookLatency 'Microsoft.Insights/scheduledQueryRules@2023-03-15-preview' = {
  name: '${namePrefix}-webhook-latency'
  location: location
  tags: tags
  properties: {
    displayName: '${namePrefix}: Graph webhook slower than 1 s'
    description: '95th percentile of /api/graph/* over 15 minutes above the threshold: check always-ready instances.'
    severity: 2
    enabled: true
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    scopes: [
      applicationInsightsId
    ]
    criteria: {
      allOf: [
        {
          query: '''
requests
| where url has "/api/graph/" or name in ("graph_webhook", "graph_lifecycle")
| summarize p95_ms = percentile(duration, 95)
'''
          timeAggregation: 'Maximum'
          metricMeasureColumn: 'p95_ms'
          operator: 'GreaterThan'
          threshold: webhookLatencyThresholdMs
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: true
    actions: {
      actionGroups: [
        actionGroup.id
      ]
    }
  }
}

// Scanned letters whose BlobCreated event Event Grid could not deliver (30 attempts, 24 hours) land in
// the eventgrid-deadletter container; any new one is a letter not captured: replay it.
resource scanEventsDeadLettered 'Microsoft.Insights/metricAlerts@2018-03-01' = {
  name: '${namePrefix}-scan-events-dead-lettered'
  location: 'global'
  tags: tags
  properties: {
    description: 'A BlobCreated event for scanned post was dead-lettered (container eventgrid-deadletter): `loket replay letters`.'
    severity: 2
    enabled: true
    scopes: [
      scanSystemTopicId
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
      allOf: [
        {
          name: 'DeadLetteredCount'
          criterionType: 'StaticThresholdCriterion'
          metricNamespace: 'Microsoft.EventGrid/systemTopics'
          metricName: 'DeadLetteredCount'
          operator: 'GreaterThan'
          threshold: 0
          timeAggregation: 'Total'
        }
      ]
    }
    autoMitigate: true
    actions: [
      {
        actionGroupId: actionGroup.id
      }
    ]
  }
}

// Dropped = neither delivered nor dead-lettered (e.g. the dead-letter container unreachable): lost.
resource scanEventsDropped 'Microsoft.Insights/metricAlerts@2018-03-01' = {
  name: '${namePrefix}-scan-events-dropped'
  location: 'global'
  tags: tags
  properties: {
    description: 'Event Grid dropped BlobCreated events for scanned post: check the dead-letter container and its role assignment.'
    severity: 1
    enabled: true
    scopes: [
      scanSystemTopicId
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
      allOf: [
        {
          name: 'DroppedEventCount'
          criterionType: 'StaticThresholdCriterion'
          metricNamespace: 'Microsoft.EventGrid/systemTopics'
          metricName: 'DroppedEventCount'
          operator: 'GreaterThan'
          threshold: 0
          timeAggregation: 'Total'
        }
      ]
    }
    autoMitigate: true
    actions: [
      {
        actionGroupId: actionGroup.id
      }
    ]
  }
}

// The Graph certificate does not renew itself (lifetime action EmailContacts, docs/tenant-setup.md):
// Key Vault's CertificateNearExpiry event (30 days ahead) and CertificateExpired become alerts to the
// operators through Event Grid's Azure Monitor alert destination.
resource keyVaultEvents 'Microsoft.EventGrid/systemTopics@2025-02-15' = {
  name: '${keyVaultName}-events'
  location: location
  tags: tags
  properties: {
    source: keyVaultId
    topicType: 'Microsoft.KeyVault.vaults'
  }
}

resource certificateExpiry 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2025-02-15' = {
  parent: keyVaultEvents
  name: 'graph-certificate-expiry'
  properties: {
    // The Azure Monitor alert destination takes CloudEvents 1.0 only.
    eventDeliverySchema: 'CloudEventSchemaV1_0'
    filter: {
      includedEventTypes: [
        'Microsoft.KeyVault.CertificateNearExpiry'
        'Microsoft.KeyVault.CertificateExpired'
      ]
    }
    destination: {
      endpointType: 'MonitorAlert'
      properties: {
        severity: 'Sev1'
        description: 'A Key Vault certificate (the Graph certificate) expires soon or has expired: rotate it (docs/deploy.md, "Certificate rotation").'
        actionGroups: [
          actionGroup.id
        ]
      }
    }
  }
}

output actionGroupId string = actionGroup.id
