// Loket in Azure: one resource group with the Functions app (Flex Consumption), Service Bus,
// Blob Storage, PostgreSQL (Entra only), Key Vault and monitoring. `azd up` deploys it; outputs
// are named like the app settings of design.md so hooks and local.settings.json reuse them.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('azd environment name; part of every resource name.')
param environmentName string

@minLength(1)
@description('Region of every resource.')
@metadata({ azd: { type: 'location' } })
param location string

@description('Object id of the deployer (azd sets AZURE_PRINCIPAL_ID). Becomes the PostgreSQL Entra admin.')
param principalId string

@description('Name the deployer signs in to PostgreSQL with (UPN for a user); set by the preprovision hook.')
param principalName string

@allowed([
  'User'
  'Group'
  'ServicePrincipal'
])
param principalType string = 'User'

@allowed([
  'Standard'
  'Premium'
])
@description('Standard is cheapest and has topics, sessions and duplicate detection; Premium adds isolation and private endpoints.')
param serviceBusSku string = 'Standard'

@allowed([
  1
  2
  4
])
param serviceBusPremiumCapacity int = 1

@description('true: the identity gets Service Bus Data Owner (runtime counts for `loket queues`, exact scaling); false: Data Sender + Data Receiver + Monitoring Reader.')
param serviceBusDataOwner bool = true

@description('Always-ready instances of the HTTP group, so the Graph routes answer within 3 s through cold starts.')
param alwaysReadyHttpInstances int = 1

param maximumInstanceCount int = 100

@allowed([
  2048
  4096
])
param instanceMemoryMB int = 2048

param postgresSkuName string = 'Standard_B1ms'

@allowed([
  'Burstable'
  'GeneralPurpose'
  'MemoryOptimized'
])
param postgresTier string = 'Burstable'

@description('Graph app registration (client) id; empty until docs/tenant-setup.md has been followed.')
param graphClientId string = ''

param graphCertificateName string = 'loket-graph'

@description('Client id of the "Loket API" app registration; empty until docs/tenant-setup.md step 5.')
param apiClientId string = ''

@description('Oldest message age (seconds) that raises the alert and reads critical in `loket queues`.')
param oldestMessageAgeCriticalSeconds int = 900

@description('Where the capture policy lies inside the deployed package.')
param capturePolicyPath string = '/home/site/wwwroot/policy/stad.example.yaml'

@description('Public https base URL when a custom domain or gateway fronts the app; empty = the app\'s own host name.')
param publicBaseUrl string = ''

@description('Mailbox of the operators who receive alerts; empty = alerts show in the portal only.')
param alertEmail string = ''

var abbrs = loadJsonContent('abbreviations.json')
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
  application: 'loket'
}
var functionAppName = '${abbrs.webSitesFunctions}loket-${resourceToken}'
var deploymentContainerName = 'app-package-${take(resourceToken, 7)}'

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: '${abbrs.resourcesResourceGroups}${environmentName}'
  location: location
  tags: tags
}

module identity 'br/public:avm/res/managed-identity/user-assigned-identity:0.6.0' = {
  name: 'identity'
  scope: rg
  params: {
    name: '${abbrs.managedIdentityUserAssignedIdentities}loket-${resourceToken}'
    location: location
    tags: tags
  }
}

module monitoring 'app/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    logAnalyticsName: '${abbrs.operationalInsightsWorkspaces}${resourceToken}'
    applicationInsightsName: '${abbrs.insightsComponents}${resourceToken}'
    location: location
    tags: tags
  }
}

module storage 'app/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: '${abbrs.storageStorageAccounts}${resourceToken}'
    systemTopicName: '${abbrs.eventGridSystemTopics}scan-${resourceToken}'
    deploymentContainerName: deploymentContainerName
    location: location
    tags: tags
  }
}

module servicebus 'app/servicebus.bicep' = {
  name: 'servicebus'
  scope: rg
  params: {
    name: '${abbrs.serviceBusNamespaces}loket-${resourceToken}'
    sku: serviceBusSku
    premiumCapacity: serviceBusPremiumCapacity
    logAnalyticsWorkspaceId: monitoring.outputs.logAnalyticsWorkspaceId
    location: location
    tags: tags
  }
}

module postgres 'app/postgres.bicep' = {
  name: 'postgres'
  scope: rg
  params: {
    name: '${abbrs.dBforPostgreSQLServers}loket-${resourceToken}'
    skuName: postgresSkuName
    tier: postgresTier
    adminObjectId: principalId
    adminName: principalName
    adminType: principalType
    logAnalyticsWorkspaceId: monitoring.outputs.logAnalyticsWorkspaceId
    location: location
    tags: tags
  }
}

module keyvault 'app/keyvault.bicep' = {
  name: 'keyvault'
  scope: rg
  params: {
    name: '${abbrs.keyVaultVaults}${take(resourceToken, 13)}'
    location: location
    tags: tags
  }
}

module api 'app/api.bicep' = {
  name: 'api'
  scope: rg
  params: {
    name: functionAppName
    planName: '${abbrs.webServerFarms}${resourceToken}'
    location: location
    tags: tags
    identityId: identity.outputs.resourceId
    identityClientId: identity.outputs.clientId
    identityName: identity.outputs.name
    storageAccountName: storage.outputs.name
    deploymentContainerName: deploymentContainerName
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    alwaysReadyHttpInstances: alwaysReadyHttpInstances
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    serviceBusNamespaceFqdn: servicebus.outputs.fullyQualifiedNamespace
    mailNotificationsQueue: servicebus.outputs.mailNotificationsQueue
    callNotificationsQueue: servicebus.outputs.callNotificationsQueue
    lifecycleNotificationsQueue: servicebus.outputs.lifecycleNotificationsQueue
    contactEventsTopic: servicebus.outputs.contactEventsTopic
    postgresHost: postgres.outputs.host
    postgresDatabase: postgres.outputs.databaseName
    keyVaultUri: keyvault.outputs.uri
    graphTenantId: tenant().tenantId
    graphClientId: graphClientId
    graphCertificateName: graphCertificateName
    apiClientId: apiClientId
    queueOldestAgeCriticalSeconds: oldestMessageAgeCriticalSeconds
    capturePolicyPath: capturePolicyPath
    publicBaseUrl: publicBaseUrl
  }
}

module rbac 'app/rbac.bicep' = {
  name: 'rbac'
  scope: rg
  params: {
    appPrincipalId: identity.outputs.principalId
    deployerPrincipalId: principalId
    deployerPrincipalType: principalType
    storageAccountName: storage.outputs.name
    serviceBusNamespaceName: servicebus.outputs.name
    serviceBusDataOwner: serviceBusDataOwner
    keyVaultName: keyvault.outputs.name
    applicationInsightsName: monitoring.outputs.applicationInsightsName
  }
}

module alerts 'app/alerts.bicep' = {
  name: 'alerts'
  scope: rg
  params: {
    namePrefix: 'loket-${environmentName}'
    serviceBusNamespaceId: servicebus.outputs.resourceId
    applicationInsightsId: monitoring.outputs.applicationInsightsId
    alertEmail: alertEmail
    oldestMessageAgeThresholdSeconds: oldestMessageAgeCriticalSeconds
    location: location
    tags: tags
  }
}

module workbook 'app/workbook.bicep' = {
  name: 'workbook'
  scope: rg
  params: {
    displayName: 'Loket queues (${environmentName})'
    serviceBusNamespaceId: servicebus.outputs.resourceId
    applicationInsightsId: monitoring.outputs.applicationInsightsId
    location: location
    tags: tags
  }
}

// azd writes these into .azure/<env>/.env; the hooks and local.settings.json read them.
output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = api.outputs.name
output AZURE_IDENTITY_NAME string = identity.outputs.name
output AZURE_IDENTITY_CLIENT_ID string = identity.outputs.clientId
output AZURE_IDENTITY_PRINCIPAL_ID string = identity.outputs.principalId
output SERVICE_API_BASE_URL string = api.outputs.baseUrl
output APPLICATIONINSIGHTS_CONNECTION_STRING string = monitoring.outputs.connectionString
output BUS_BACKEND string = 'servicebus'
output ServiceBusConnection__fullyQualifiedNamespace string = servicebus.outputs.fullyQualifiedNamespace
output MAIL_NOTIFICATIONS_QUEUE string = servicebus.outputs.mailNotificationsQueue
output CALL_NOTIFICATIONS_QUEUE string = servicebus.outputs.callNotificationsQueue
output LIFECYCLE_NOTIFICATIONS_QUEUE string = servicebus.outputs.lifecycleNotificationsQueue
output CONTACT_EVENTS_TOPIC string = servicebus.outputs.contactEventsTopic
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output ScanStorage__blobServiceUri string = storage.outputs.blobEndpoint
output ScanStorage__queueServiceUri string = storage.outputs.queueEndpoint
output SCANNED_POST_CONTAINER string = storage.outputs.scannedPostContainer
output EVENT_ARCHIVE_CONTAINER string = storage.outputs.archiveContainer
output SCAN_SYSTEM_TOPIC_NAME string = storage.outputs.systemTopicName
output POSTGRES_SERVER_NAME string = postgres.outputs.name
output POSTGRES_HOST string = postgres.outputs.host
output POSTGRES_DATABASE string = postgres.outputs.databaseName
output CRM_DATABASE_URL string = api.outputs.crmDatabaseUrl
output KEY_VAULT_NAME string = keyvault.outputs.name
output KEY_VAULT_URI string = keyvault.outputs.uri
output GRAPH_TENANT_ID string = tenant().tenantId
output GRAPH_CLIENT_ID string = graphClientId
output GRAPH_CERTIFICATE_NAME string = graphCertificateName
output LOKET_API_CLIENT_ID string = apiClientId
output GRAPH_NOTIFICATION_URL string = api.outputs.graphNotificationUrl
output GRAPH_LIFECYCLE_URL string = api.outputs.graphLifecycleUrl
