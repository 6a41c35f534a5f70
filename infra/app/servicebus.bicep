// Service Bus: exactly design.md's entities. Queues and subscriptions dead-letter after 10
// deliveries and on expiry; duplicate detection drops a message id seen within 10 minutes.
// Only Entra (local auth and every SAS rule off). The AVM module hides the namespace from checkov:
// tests/infra/test_infra_security.py asserts these settings on the parsed template instead.
param name string

@allowed([
  'Standard'
  'Premium'
])
param sku string = 'Standard'

param premiumCapacity int = 1
param logAnalyticsWorkspaceId string
param location string = resourceGroup().location
param tags object = {}

// The names are settings (MAIL_NOTIFICATIONS_QUEUE, ...): the app reads them from the outputs below.
var mailNotificationsQueue = 'mail-notifications'
var callNotificationsQueue = 'call-notifications'
var lifecycleNotificationsQueue = 'lifecycle-notifications'
var contactEventsTopic = 'contact-events'

var queues = [
  {
    name: 'mail-notifications'
    maxDeliveryCount: 10
    lockDuration: 'PT1M'
    requiresDuplicateDetection: true
    duplicateDetectionHistoryTimeWindow: 'PT10M'
    deadLetteringOnMessageExpiration: true
    defaultMessageTimeToLive: 'P14D'
    requiresSession: false
    maxSizeInMegabytes: 1024
  }
  {
    name: 'call-notifications'
    maxDeliveryCount: 10
    lockDuration: 'PT1M'
    requiresDuplicateDetection: true
    duplicateDetectionHistoryTimeWindow: 'PT10M'
    deadLetteringOnMessageExpiration: true
    defaultMessageTimeToLive: 'P14D'
    requiresSession: false
    maxSizeInMegabytes: 1024
  }
  {
    name: 'lifecycle-notifications'
    maxDeliveryCount: 10
    lockDuration: 'PT1M'
    requiresDuplicateDetection: true
    duplicateDetectionHistoryTimeWindow: 'PT10M'
    deadLetteringOnMessageExpiration: true
    defaultMessageTimeToLive: 'P14D'
    requiresSession: false
    maxSizeInMegabytes: 1024
  }
]

// Each subscription replaces its `$Default` rule (1=1, which would OR with any added rule) by a
// SQL filter: messages without `loket-target` reach every subscription, a replay addressed to one
// subscription (loket-target = its name) reaches only that one.
var topics = [
  {
    name: 'contact-events'
    requiresDuplicateDetection: true
    duplicateDetectionHistoryTimeWindow: 'PT10M'
    defaultMessageTimeToLive: 'P14D'
    maxSizeInMegabytes: 1024
    subscriptions: [
      {
        name: 'crm'
        maxDeliveryCount: 10
        lockDuration: 'PT1M'
        deadLetteringOnMessageExpiration: true
        deadLetteringOnFilterEvaluationExceptions: true
        defaultMessageTimeToLive: 'P14D'
        requiresSession: false
        rules: [
          {
            name: '$Default'
            filterType: 'SqlFilter'
            sqlFilter: {
              sqlExpression: '[loket-target] IS NULL OR [loket-target] = \'crm\''
              compatibilityLevel: 20
            }
          }
        ]
      }
      {
        name: 'archive'
        maxDeliveryCount: 10
        lockDuration: 'PT1M'
        deadLetteringOnMessageExpiration: true
        deadLetteringOnFilterEvaluationExceptions: true
        defaultMessageTimeToLive: 'P14D'
        requiresSession: false
        rules: [
          {
            name: '$Default'
            filterType: 'SqlFilter'
            sqlFilter: {
              sqlExpression: '[loket-target] IS NULL OR [loket-target] = \'archive\''
              compatibilityLevel: 20
            }
          }
        ]
      }
    ]
  }
]

var skuObject = (sku == 'Premium') ? { name: 'Premium', capacity: premiumCapacity } : { name: 'Standard' }

module namespace 'br/public:avm/res/service-bus/namespace:0.17.0' = {
  name: 'servicebus-namespace'
  params: {
    name: name
    location: location
    tags: tags
    skuObject: skuObject
    zoneRedundant: (sku == 'Premium')
    disableLocalAuth: true
    minimumTlsVersion: '1.2'
    // Standard has no private endpoints; Entra-only access over the public endpoint.
    publicNetworkAccess: 'Enabled'
    authorizationRules: []
    queues: queues
    topics: topics
    diagnosticSettings: [
      {
        workspaceResourceId: logAnalyticsWorkspaceId
      }
    ]
  }
}

output name string = namespace.outputs.name
output resourceId string = namespace.outputs.resourceId
output fullyQualifiedNamespace string = '${namespace.outputs.name}.servicebus.windows.net'
output mailNotificationsQueue string = mailNotificationsQueue
output callNotificationsQueue string = callNotificationsQueue
output lifecycleNotificationsQueue string = lifecycleNotificationsQueue
output contactEventsTopic string = contactEventsTopic
