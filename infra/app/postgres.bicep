// PostgreSQL Flexible Server for the CRM store: Entra authentication only (password auth off).
// An Entra group is the admin (its members run the migrations); the app's identity becomes a plain
// database role through pgaadauth_create_principal_with_oid in infra/hooks/postdeploy.sh (pg_setup.py).
//
// Connection budget (docs/deploy.md): every Flex instance holds its own pool, so General Purpose with
// the built-in PgBouncer (port 6432, transaction pooling) is the default. Burstable B1ms allows 35 user
// connections and has no PgBouncer: a development tier that cannot scale out.
param name string
param skuName string = 'Standard_D2ds_v5'

@allowed([
  'Burstable'
  'GeneralPurpose'
  'MemoryOptimized'
])
param tier string = 'GeneralPurpose'

@description('The Entra admin: a group whose members sign in with its name (a second operator can upgrade the schema).')
param adminObjectId string
param adminName string

@allowed([
  'User'
  'Group'
  'ServicePrincipal'
])
param adminType string = 'Group'

@description('ACCEPTED RISK (docs/deploy.md, "Network exposure"): the firewall rule "allow Azure services" lets any Azure-hosted client reach the port; Entra-only sign-in is then the gate. false removes the rule; the app then needs private access (VNet), which this layout does not provision yet.')
param allowAzureServices bool = true

param logAnalyticsWorkspaceId string
param location string = resourceGroup().location
param tags object = {}

@description('Microsoft Defender for open-source relational databases (billed per server).')
param threatProtection bool = false

var databaseName = 'loket'
// PgBouncer is not offered on Burstable (Microsoft: concepts-pgbouncer, Limitations).
var pgBouncer = tier != 'Burstable'

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
    firewallRules: allowAzureServices ? [
      {
        name: 'AllowAllAzureServicesAndResourcesWithinAzureIps'
        startIpAddress: '0.0.0.0'
        endIpAddress: '0.0.0.0'
      }
    ] : []
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
      {
        // Transaction pooling (Azure's default); the app connects on 6432, migrations on 5432.
        name: 'pgbouncer.enabled'
        value: pgBouncer ? 'true' : 'false'
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
@description('The port the app connects on: PgBouncer where the tier has it, else the server itself.')
output appPort int = pgBouncer ? 6432 : 5432
