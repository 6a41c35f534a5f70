// PostgreSQL Flexible Server for the CRM store: Entra authentication only (password auth off).
// The deployer (or a group) is the Entra admin; the app's identity becomes a plain database role
// through pgaadauth_create_principal_with_oid in infra/hooks/postdeploy.sh (see pg_setup.py).
param name string
param skuName string = 'Standard_B1ms'

@allowed([
  'Burstable'
  'GeneralPurpose'
  'MemoryOptimized'
])
param tier string = 'Burstable'

param adminObjectId string
param adminName string

@allowed([
  'User'
  'Group'
  'ServicePrincipal'
])
param adminType string = 'User'

param logAnalyticsWorkspaceId string
param location string = resourceGroup().location
param tags object = {}

@description('Microsoft Defender for open-source relational databases (billed per server).')
param threatProtection bool = false

var databaseName = 'loket'

module server 'br/public:avm/res/db-for-postgre-sql/flexible-server:0.16.0' = {
  name: 'postgres-server'
  params: {
    name: name
    location: location
    tags: tags
    skuName: skuName
    tier: tier
    version: '16'
    availabilityZone: -1
    highAvailability: 'Disabled'
    storageSizeGB: 32
    backupRetentionDays: 14
    geoRedundantBackup: 'Disabled'
    authConfig: {
      activeDirectoryAuth: 'Enabled'
      passwordAuth: 'Disabled'
      tenantId: tenant().tenantId
    }
    administrators: [
      {
        objectId: adminObjectId
        principalName: adminName
        principalType: adminType
        tenantId: tenant().tenantId
      }
    ]
    // Public endpoint limited to Azure's own addresses (the Flex app has no fixed IP without a VNet);
    // Entra-only sign-in is the gate. postdeploy.sh opens the deployer's address for its run only.
    publicNetworkAccess: 'Enabled'
    firewallRules: [
      {
        name: 'AllowAllAzureServicesAndResourcesWithinAzureIps'
        startIpAddress: '0.0.0.0'
        endIpAddress: '0.0.0.0'
      }
    ]
    databases: [
      {
        name: databaseName
        charset: 'UTF8'
        collation: 'en_US.utf8'
      }
    ]
    configurations: [
      {
        // Extensions the store may create (name search); anything else is refused by the server.
        name: 'azure.extensions'
        value: 'UNACCENT,PG_TRGM'
        source: 'user-override'
      }
      {
        name: 'require_secure_transport'
        value: 'ON'
        source: 'user-override'
      }
    ]
    serverThreatProtection: threatProtection ? 'Enabled' : 'Disabled'
    enableAdvancedThreatProtection: threatProtection
    diagnosticSettings: [
      {
        workspaceResourceId: logAnalyticsWorkspaceId
      }
    ]
  }
}

output name string = server.outputs.name
// The public server's host name; the module's fqdn output is nullable.
output host string = '${server.outputs.name}.postgres.database.azure.com'
output databaseName string = databaseName
