// Loket in Azure: one resource group with the Functions app (Flex Consumption), Service Bus,
// Blob Storage, PostgreSQL (Entra only), Key Vault and monitoring. `azd up` deploys it; outputs
// are named like the app settings of design.md so hooks and local.settings.json reuse them.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('azd environment name; part of every resource name.')
param environmentName string

// Regions that offer Flex Consumption: the list of Microsoft's Flex Consumption azd templates
// (Azure-Samples/functions-quickstart-python-http-azd, 2025-11), less the canary region eastus2euap.
// `az functionapp list-flexconsumption-locations` gives today's list.
@minLength(1)
@description('Region of every resource; one that offers Flex Consumption.')
@metadata({ azd: { type: 'location' } })
@allowed([
  'australiaeast'
  'australiasoutheast'
  'brazilsouth'
  'canadacentral'
  'centralindia'
  'centralus'
  'eastasia'
  'eastus'
  'eastus2'
  'francecentral'
  'germanywestcentral'
  'italynorth'
  'japaneast'
  'koreacentral'
  'northcentralus'
  'northeurope'
  'norwayeast'
  'southafricanorth'
  'southcentralus'
  'southeastasia'
  'southindia'
  'spaincentral'
  'swedencentral'
  'uaenorth'
  'uksouth'
  'ukwest'
  'westcentralus'
  'westeurope'
  'westus'
  'westus2'
  'westus3'
])
param location string

@description('Object id of whoever runs azd (a user, or a service principal in CI); the preprovision hook reads it from the Azure CLI sign-in.')
param principalId string

@description('The deployer\'s UPN or display name, for messages only; set by the preprovision hook.')
param principalName string = ''

@allowed([
  'User'
  'Group'
  'ServicePrincipal'
])
param principalType string = 'User'

@description('Object id of the Entra group that administers PostgreSQL: its members run the migrations (a second operator too). The preprovision hook creates loket-db-admins-<env> when none is given.')
param postgresAdminGroupId string

@description('Display name of that group: members sign in to PostgreSQL with it as the user name.')
param postgresAdminGroupName string

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

@description('Flex Consumption scale-out limit. 40 is the lowest Microsoft documents; it bounds the PostgreSQL connection budget (docs/deploy.md).')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 40

@allowed([
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('General Purpose D2ds_v5 (844 user connections, built-in PgBouncer) holds the connection budget; Standard_B1ms/Burstable is a development tier that cannot scale out.')
param postgresSkuName string = 'Standard_D2ds_v5'

@allowed([
  'Burstable'
  'GeneralPurpose'
  'MemoryOptimized'
])
param postgresTier string = 'GeneralPurpose'

@allowed([
  'Private'
  'Public'
])
@description('Private (default): PostgreSQL in a delegated subnet of a VNet the app is integrated in, no public endpoint; pg_setup and migrations run through the app (docs/deploy.md). Public: public endpoint with the "allow Azure services" rule, a named accepted risk. Azure cannot switch an existing server.')
param postgresNetworkAccess string = 'Private'

@description('PostgreSQL connections per worker process: CRM_POOL_SIZE + CRM_MAX_OVERFLOW.')
param crmPoolSize int = 2
param crmMaxOverflow int = 3

@description('Graph app registration (client) id; empty until docs/tenant-setup.md has been followed.')
param graphClientId string = ''

param graphCertificateName string = 'loket-graph'

@description('The Graph certificate version the app signs with; set by infra/tenant/rotate-certificate.ps1 (empty = newest).')
param graphCertificateVersion string = ''

@description('Client id of the "Loket API" app registration; empty until docs/tenant-setup.md step 5.')
param apiClientId string = ''

@description('Oldest message age (seconds) that raises the alert and reads critical in `loket queues`.')
param oldestMessageAgeCriticalSeconds int = 900

@description('Where the capture policy lies inside the deployed package.')
param capturePolicyPath string = '/home/site/wwwroot/policy/stad.example.yaml'

@description('Public https base URL when a custom domain or gateway fronts the app; empty = the app\'s own host name.')
param publicBaseUrl string = ''

@description('Azure AI Document Intelligence for image-only scans (prebuilt-read); false = only letters with a text layer are read in Azure.')
param documentIntelligence bool = true

@description('Its region; not every Flex region offers Document Intelligence. Default: the deployment\'s.')
param documentIntelligenceLocation string = location

@description('Mailbox of the operators who receive alerts; empty = alerts show in the portal only.')
param alertEmail string = ''

// The most redundant storage each region offers for the scanned letters: GZRS where it has
// availability zones and a region pair, ZRS where it has zones but no pair (no GRS there),
// GRS where it has a pair but no zones (Microsoft: reliability/cross-region-replication-azure,
// availability-zones region list; docs/deploy.md, "What was checked").
var storageRedundancy = {
  australiaeast: 'Standard_GZRS'
  australiasoutheast: 'Standard_GRS'
  brazilsouth: 'Standard_GZRS'
  canadacentral: 'Standard_GZRS'
  centralindia: 'Standard_GZRS'
  centralus: 'Standard_GZRS'
  eastasia: 'Standard_GZRS'
  eastus: 'Standard_GZRS'
  eastus2: 'Standard_GZRS'
  francecentral: 'Standard_GZRS'
  germanywestcentral: 'Standard_GZRS'
  italynorth: 'Standard_ZRS'
  japaneast: 'Standard_GZRS'
  koreacentral: 'Standard_GZRS'
  northcentralus: 'Standard_GRS'
  northeurope: 'Standard_GZRS'
  norwayeast: 'Standard_GZRS'
  southafricanorth: 'Standard_GZRS'
  southcentralus: 'Standard_GZRS'
  southeastasia: 'Standard_GZRS'
  southindia: 'Standard_GRS'
  spaincentral: 'Standard_ZRS'
  swedencentral: 'Standard_GZRS'
  uaenorth: 'Standard_GZRS'
  uksouth: 'Standard_GZRS'
  ukwest: 'Standard_GRS'
  westcentralus: 'Standard_GRS'
  westeurope: 'Standard_GZRS'
  westus: 'Standard_GRS'
  westus2: 'Standard_GZRS'
  westus3: 'Standard_GZRS'
}

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
    skuName: storageRedundancy[location]
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

var postgresName = '${abbrs.dBforPostgreSQLServers}loket-${resourceToken}'
var postgresPrivate = postgresNetworkAccess == 'Private'

module network 'app/network.bicep' = if (postgresPrivate) {
  name: 'network'
  scope: rg
  params: {
    name: '${abbrs.networkVirtualNetworks}loket-${resourceToken}'
    postgresServerName: postgresName
    location: location
    tags: tags
  }
}

module postgres 'app/postgres.bicep' = {
  name: 'postgres'
  scope: rg
  params: {
    name: postgresName
    skuName: postgresSkuName
    tier: postgresTier
    adminObjectId: postgresAdminGroupId
    adminName: postgresAdminGroupName
    adminType: 'Group'
    networkAccess: postgresNetworkAccess
    delegatedSubnetId: postgresPrivate ? network.outputs.postgresSubnetId : ''
    privateDnsZoneId: postgresPrivate ? network.outputs.postgresDnsZoneId : ''
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

module documentIntelligenceAccount 'app/documentintelligence.bicep' = if (documentIntelligence) {
  name: 'documentintelligence'
  scope: rg
  params: {
    name: '${abbrs.cognitiveServicesFormRecognizer}${resourceToken}'
    location: documentIntelligenceLocation
    tags: tags
    appPrincipalId: identity.outputs.principalId
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
    postgresPort: postgres.outputs.appPort
    crmPoolSize: crmPoolSize
    crmMaxOverflow: crmMaxOverflow
    postgresDatabase: postgres.outputs.databaseName
    keyVaultUri: keyvault.outputs.uri
    graphTenantId: tenant().tenantId
    graphClientId: graphClientId
    graphCertificateName: graphCertificateName
    graphCertificateVersion: graphCertificateVersion
    apiClientId: apiClientId
    queueOldestAgeCriticalSeconds: oldestMessageAgeCriticalSeconds
    capturePolicyPath: capturePolicyPath
    publicBaseUrl: publicBaseUrl
    documentIntelligenceEndpoint: documentIntelligence ? documentIntelligenceAccount.outputs.endpoint : ''
    virtualNetworkSubnetId: postgresPrivate ? network.outputs.appSubnetId : ''
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
    scanSystemTopicId: storage.outputs.systemTopicId
    keyVaultId: keyvault.outputs.resourceId
    keyVaultName: keyvault.outputs.name
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
output AZURE_STORAGE_ACCOUNT_ID string = storage.outputs.resourceId
output EVENTGRID_DEADLETTER_CONTAINER string = storage.outputs.eventGridDeadLetterContainer
output POSTGRES_SERVER_NAME string = postgres.outputs.name
output POSTGRES_HOST string = postgres.outputs.host
output POSTGRES_DATABASE string = postgres.outputs.databaseName
output POSTGRES_PUBLIC_ACCESS string = postgres.outputs.publicNetworkAccess
output POSTGRES_ADMIN_GROUP_NAME string = postgresAdminGroupName
output CRM_DATABASE_URL string = api.outputs.crmDatabaseUrl
output KEY_VAULT_NAME string = keyvault.outputs.name
output KEY_VAULT_URI string = keyvault.outputs.uri
output GRAPH_TENANT_ID string = tenant().tenantId
output GRAPH_CLIENT_ID string = graphClientId
output GRAPH_CERTIFICATE_NAME string = graphCertificateName
output GRAPH_CERTIFICATE_VERSION string = graphCertificateVersion
output LOKET_API_CLIENT_ID string = apiClientId
output GRAPH_NOTIFICATION_URL string = api.outputs.graphNotificationUrl
output GRAPH_LIFECYCLE_URL string = api.outputs.graphLifecycleUrl
