// Blob Storage: the host's own storage, the deployment package, scanned post and the event archive.
// Plain resources (not the AVM module) so checkov's storage checks can see them. Shared keys are off:
// every reader uses Entra (the app's identity, the deployer, Event Grid's blob webhook does not read).
param name string
param systemTopicName string
param deploymentContainerName string
param location string = resourceGroup().location
param tags object = {}

@description('GZRS keeps letters through a zone and a region outage; pick ZRS or LRS where GZRS is not offered.')
@allowed([
  'Standard_ZRS'
  'Standard_LRS'
  'Standard_GRS'
  'Standard_GZRS'
])
param skuName string = 'Standard_GZRS'

var scannedPostContainerName = 'scanned-post'
var archiveContainerName = 'event-archive'
var replayJobsContainerName = 'replay-jobs'
// BlobCreated events Event Grid could not deliver to the blob trigger (after 30 attempts or 24 h).
var eventGridDeadLetterContainerName = 'eventgrid-deadletter'
var storageBlobDataContributor = 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'

resource account 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: skuName
  }
  properties: {
    accessTier: 'Hot'
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    allowCrossTenantReplication: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    // Public endpoint, Entra-only: Flex instances without a VNet have no fixed addresses.
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      bypass: 'AzureServices'
      defaultAction: 'Allow'
    }
    encryption: {
      keySource: 'Microsoft.Storage'
      requireInfrastructureEncryption: true
      services: {
        blob: {
          enabled: true
          keyType: 'Account'
        }
        queue: {
          enabled: true
          keyType: 'Account'
        }
        table: {
          enabled: true
          keyType: 'Account'
        }
      }
    }
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: account
  name: 'default'
  properties: {
    deleteRetentionPolicy: {
      enabled: true
      days: 7
    }
    containerDeleteRetentionPolicy: {
      enabled: true
      days: 7
    }
  }
}

resource deploymentContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: deploymentContainerName
  properties: {
    publicAccess: 'None'
  }
}

resource scannedPostContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: scannedPostContainerName
  properties: {
    publicAccess: 'None'
  }
}

resource archiveContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: archiveContainerName
  properties: {
    publicAccess: 'None'
  }
}

// Replay jobs started from POST /api/ops/replay: one JSON record per job, read by GET /api/ops/jobs/{id}.
resource replayJobsContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: replayJobsContainerName
  properties: {
    publicAccess: 'None'
  }
}

resource eventGridDeadLetterContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: eventGridDeadLetterContainerName
  properties: {
    publicAccess: 'None'
  }
}

// BlobCreated events of this account; the subscription to the function's blob webhook is made by
// infra/hooks/postdeploy.sh because the webhook's system key exists only after the code is deployed.
// The topic's own identity writes undeliverable events to the dead-letter container (shared keys are
// off, so Event Grid cannot use a key). A plain resource, so its identity is in reach here.
resource systemTopic 'Microsoft.EventGrid/systemTopics@2025-02-15' = {
  name: systemTopicName
  location: location
  tags: tags
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    source: account.id
    topicType: 'Microsoft.Storage.StorageAccounts'
  }
}

resource deadLetterWriter 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(eventGridDeadLetterContainer.id, systemTopic.id, storageBlobDataContributor)
  scope: eventGridDeadLetterContainer
  properties: {
    principalId: systemTopic.identity.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataContributor)
  }
}

output name string = account.name
output resourceId string = account.id
output blobEndpoint string = account.properties.primaryEndpoints.blob
output queueEndpoint string = account.properties.primaryEndpoints.queue
output tableEndpoint string = account.properties.primaryEndpoints.table
output scannedPostContainer string = scannedPostContainer.name
output archiveContainer string = archiveContainer.name
output systemTopicName string = systemTopic.name
output systemTopicId string = systemTopic.id
output eventGridDeadLetterContainer string = eventGridDeadLetterContainer.name
