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

// BlobCreated events of this account; the subscription to the function's blob webhook is made by
// infra/hooks/postdeploy.sh because the webhook's system key exists only after the code is deployed.
module systemTopic 'br/public:avm/res/event-grid/system-topic:0.7.0' = {
  name: 'scan-system-topic'
  params: {
    name: systemTopicName
    location: location
    tags: tags
    source: account.id
    topicType: 'Microsoft.Storage.StorageAccounts'
  }
}

output name string = account.name
output resourceId string = account.id
output blobEndpoint string = account.properties.primaryEndpoints.blob
output queueEndpoint string = account.properties.primaryEndpoints.queue
output tableEndpoint string = account.properties.primaryEndpoints.table
output scannedPostContainer string = scannedPostContainer.name
output archiveContainer string = archiveContainer.name
output systemTopicName string = systemTopic.outputs.name
