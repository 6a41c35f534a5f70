// The Functions app on Flex Consumption (Python 3.11) and its app settings: every setting
// settings.py reads in Azure, with the names exactly as there, plus the host's own connections.
// A plain Microsoft.Web/sites resource (not the AVM module) so checkov's App Service checks see it.
param name string
param planName string
param location string = resourceGroup().location
param tags object = {}

param identityId string
param identityClientId string
@description('The identity\'s name is also its PostgreSQL role name.')
param identityName string
param storageAccountName string
param deploymentContainerName string
param applicationInsightsName string

@description('Always-ready instances of the HTTP group: the Graph webhooks answer within 3 s through cold starts.')
param alwaysReadyHttpInstances int = 1
@description('40 is the lowest maximum Microsoft documents for Flex Consumption; it bounds the PostgreSQL connection budget.')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 40
param instanceMemoryMB int = 2048

param serviceBusNamespaceFqdn string
param mailNotificationsQueue string
param callNotificationsQueue string
param lifecycleNotificationsQueue string
param contactEventsTopic string
param postgresHost string
@description('6432 through the built-in PgBouncer (General Purpose), 5432 on Burstable.')
param postgresPort int = 6432
param postgresDatabase string
@description('CRM_POOL_SIZE and CRM_MAX_OVERFLOW: connections per worker process (the connection budget).')
param crmPoolSize int = 2
param crmMaxOverflow int = 3
@description('FUNCTIONS_REQUEST_BODY_SIZE_LIMIT in bytes: the host refuses larger bodies before Python sees them (1 MiB, as the webhook\'s own 413).')
param requestBodySizeLimitBytes int = 1048576
param keyVaultUri string
param graphTenantId string
param graphClientId string = ''
param graphCertificateName string = 'loket-graph'
@description('The Key Vault version of the Graph certificate the app signs with (set by infra/tenant/rotate-certificate.ps1 once Entra knows it); empty = the newest.')
param graphCertificateVersion string = ''
@description('Key Vault certificate for rich notifications (created by the tenant set-up); used once GRAPH_CLIENT_ID is set.')
param graphRichCertificateName string = 'loket-rich'
param capturePolicyPath string
@description('Azure AI Document Intelligence endpoint for image-only scans (prebuilt-read); the identity needs Cognitive Services User on it. Empty: only letters with a text layer are read in Azure.')
param documentIntelligenceEndpoint string = ''
param publicBaseUrl string = ''

@description('VNet integration: the subnet delegated to Microsoft.App/environments (network.bicep), so the app reaches PostgreSQL\'s private address; empty = no VNet (PostgreSQL with public access).')
param virtualNetworkSubnetId string = ''

@description('Back-off and settling, as design.md: CALL_SETTLE_SECONDS, MAX_ATTEMPTS, SERVICEBUS_SETTLEMENT.')
param callSettleSeconds int = 120
param maxAttempts int = 8

@allowed([
  'plain'
  'actions'
])
param servicebusSettlement string = 'plain'

@description('Client id of the "Loket API" app registration (tenant set-up step 5); empty = no Entra sign-in.')
param apiClientId string = ''

@description('Health thresholds of `loket queues` and /api/ops/queues; the critical age matches the age alert.')
param queueWindowMinutes int = 5
param queueOldestAgeWarningSeconds int = 300
param queueOldestAgeCriticalSeconds int = 900
param queueActiveWarning int = 1000
param queueDeadLetterWarning int = 1
param queueDeadLetterCritical int = 50

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

module plan 'br/public:avm/res/web/serverfarm:0.7.0' = {
  name: 'flex-plan'
  params: {
    name: planName
    location: location
    tags: tags
    skuName: 'FC1'
    kind: 'functionapp'
    reserved: true
    zoneRedundant: false
  }
}

var baseUrl = empty(publicBaseUrl) ? 'https://${name}.azurewebsites.net' : publicBaseUrl
var crmDatabaseUrl = 'postgresql+psycopg://${identityName}@${postgresHost}:${postgresPort}/${postgresDatabase}?sslmode=require'
var keyVaultName = split(replace(keyVaultUri, 'https://', ''), '.')[0]

var appSettings = {
  // The host's own storage and telemetry, through the user-assigned identity.
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  AzureWebJobsStorage__blobServiceUri: storage.properties.primaryEndpoints.blob
  AzureWebJobsStorage__queueServiceUri: storage.properties.primaryEndpoints.queue
  APPLICATIONINSIGHTS_CONNECTION_STRING: appInsights.properties.ConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
  // Telemetry once: host.json sets telemetryMode OpenTelemetry; the Python worker configures Azure
  // Monitor itself (root logger, Entra ingestion through the authentication string above) and the
  // host then leaves the worker's logs to it. adapters/ops_metrics.py does not configure it again.
  PYTHON_APPLICATIONINSIGHTS_ENABLE_TELEMETRY: 'true'
  // The host only refuses bodies over 100 MB by default; Graph notifications are small.
  FUNCTIONS_REQUEST_BODY_SIZE_LIMIT: string(requestBodySizeLimitBytes)
  // azure-identity's ManagedIdentityCredential: the identity for the app's own SDK clients.
  AZURE_CLIENT_ID: identityClientId
  // Loket's settings (settings.py), names exactly as there.
  LOKET_DATA_DIR: '/tmp/loket'
  CRM_DATABASE_URL: crmDatabaseUrl
  CRM_POOL_SIZE: string(crmPoolSize)
  CRM_MAX_OVERFLOW: string(crmMaxOverflow)
  BUS_BACKEND: 'servicebus'
  ServiceBusConnection__fullyQualifiedNamespace: serviceBusNamespaceFqdn
  ServiceBusConnection__credential: 'managedidentity'
  ServiceBusConnection__clientId: identityClientId
  MAIL_NOTIFICATIONS_QUEUE: mailNotificationsQueue
  CALL_NOTIFICATIONS_QUEUE: callNotificationsQueue
  LIFECYCLE_NOTIFICATIONS_QUEUE: lifecycleNotificationsQueue
  CONTACT_EVENTS_TOPIC: contactEventsTopic
  ScanStorage__blobServiceUri: storage.properties.primaryEndpoints.blob
  ScanStorage__queueServiceUri: storage.properties.primaryEndpoints.queue
  ScanStorage__credential: 'managedidentity'
  ScanStorage__clientId: identityClientId
  GRAPH_TENANT_ID: graphTenantId
  GRAPH_CLIENT_ID: graphClientId
  GRAPH_CERTIFICATE_NAME: graphCertificateName
  GRAPH_CERTIFICATE_VERSION: graphCertificateVersion
  // Rich notifications: the certificate from Key Vault, so Azure skips the Graph read per mail.
  GRAPH_RICH_CERTIFICATE_NAME: empty(graphClientId) ? '' : graphRichCertificateName
  KEY_VAULT_URI: keyVaultUri
  GRAPH_BASE_URL: 'https://graph.microsoft.com/v1.0'
  GRAPH_NOTIFICATION_URL: '${baseUrl}/api/graph/notifications'
  GRAPH_LIFECYCLE_URL: '${baseUrl}/api/graph/lifecycle'
  GRAPH_CLIENT_STATE_KEY: '@Microsoft.KeyVault(VaultName=${keyVaultName};SecretName=graph-client-state-key)'
  // Call records: subscription filtered to the policy's queue accounts (privacy: docs/graph-subscriptions.md).
  GRAPH_CALLRECORDS_TENANT_WIDE: 'false'
  GRAPH_JWKS_URL: 'https://login.microsoftonline.com/common/discovery/v2.0/keys'
  GRAPH_RICH_CERTIFICATE_ID: 'loket-rich'
  CATCH_UP_CALL_LOOKBACK_MINUTES: '240'
  CALL_SETTLE_SECONDS: string(callSettleSeconds)
  MAX_ATTEMPTS: string(maxAttempts)
  SERVICEBUS_SETTLEMENT: servicebusSettlement
  CAPTURE_POLICY_PATH: capturePolicyPath
  DOCUMENT_INTELLIGENCE_ENDPOINT: documentIntelligenceEndpoint
  // Entra sign-in for the API (app roles Loket.Staff / Loket.Operator), v2.0 tokens of this tenant.
  LOKET_API_CLIENT_ID: apiClientId
  LOKET_API_TENANT_ID: graphTenantId
  LOKET_API_ISSUER: 'https://login.microsoftonline.com/${graphTenantId}/v2.0'
  LOKET_API_JWKS_URL: 'https://login.microsoftonline.com/${graphTenantId}/discovery/v2.0/keys'
  QUEUE_WINDOW_MINUTES: string(queueWindowMinutes)
  QUEUE_OLDEST_AGE_WARNING_SECONDS: string(queueOldestAgeWarningSeconds)
  QUEUE_OLDEST_AGE_CRITICAL_SECONDS: string(queueOldestAgeCriticalSeconds)
  QUEUE_ACTIVE_WARNING: string(queueActiveWarning)
  QUEUE_DEAD_LETTER_WARNING: string(queueDeadLetterWarning)
  QUEUE_DEAD_LETTER_CRITICAL: string(queueDeadLetterCritical)
  // Bounded work per letter (issue 15): a size, a reading time and a text budget.
  LETTER_PDF_MAX_BYTES: '52428800'
  LETTER_EXTRACTION_SECONDS: '120'
  LETTER_TEXT_MAX_CHARS: '20000'
}

resource site 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': 'api' })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.outputs.resourceId
    httpsOnly: true
    clientCertEnabled: false
    publicNetworkAccess: 'Enabled'
    keyVaultReferenceIdentity: identityId
    // Outbound traffic through the VNet: the private DNS zone resolves PostgreSQL to its private address.
    virtualNetworkSubnetId: empty(virtualNetworkSubnetId) ? null : virtualNetworkSubnetId
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
      remoteDebuggingEnabled: false
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
        alwaysReady: [
          {
            name: 'http'
            instanceCount: alwaysReadyHttpInstances
          }
        ]
      }
      runtime: {
        name: 'python'
        version: '3.11'
      }
    }
  }
}

resource settings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: site
  name: 'appsettings'
  properties: appSettings
}

// No basic-auth publishing credentials, neither FTP nor the scm (Kudu) site: azd deploys with Entra.
resource ftpCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: site
  name: 'ftp'
  properties: {
    allow: false
  }
}

resource scmCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: site
  name: 'scm'
  properties: {
    allow: false
  }
}

output name string = site.name
output baseUrl string = baseUrl
output crmDatabaseUrl string = crmDatabaseUrl
output graphNotificationUrl string = '${baseUrl}/api/graph/notifications'
output graphLifecycleUrl string = '${baseUrl}/api/graph/lifecycle'
