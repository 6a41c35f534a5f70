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

@allowed([
  'Private'
  'Public'
])
@description('Private (default): the server lives in a delegated subnet with no public endpoint; only the VNet-integrated app reaches it (docs/deploy.md, "Network exposure"). Public: a public endpoint behind the firewall below. Azure cannot switch an existing server between the two.')
param networkAccess string = 'Private'

@description('Private access: the subnet delegated to Microsoft.DBforPostgreSQL/flexibleServers (network.bicep).')
param delegatedSubnetId string = ''

@description('Private access: the private DNS zone linked to the VNet, so the server\'s host name resolves to its private address.')
param privateDnsZoneId string = ''

@description('Public access only. ACCEPTED RISK (docs/deploy.md, "Network exposure"): the firewall rule "allow Azure services" lets any Azure-hosted client reach the port; Entra-only sign-in is then the gate. false removes the rule.')
param allowAzureServices bool = true

param logAnalyticsWorkspaceId string
param location string = resourceGroup().location
param tags object = {}

@description('Microsoft Defender for open-source relational databases (billed per server).')
param threatProtection bool = false

var databaseName = 'loket'
// PgBouncer is not offered on Burstable (Microsoft: concepts-pgbouncer, Limitations).
var pgBouncer = tier != 'Burstable'
var isPrivate = networkAccess == 'Private'

var publicFirewallRules = allowAzureServices ? [
  {
    name: 'AllowAllAzureServicesAndResourcesWithinAzureIps'
    startIpAddress: '0.0.0.0'
    endIpAddress: '0.0.0.0'
  }
] : []

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
    // Private (default): injected into the delegated subnet, no public endpoint, no firewall rules
    // (Azure allows none on a VNet-integrated server). Public: limited to Azure's own addresses (the Flex
    // app has no fixed IP without a VNet); Entra-only sign-in is the gate, and postdeploy opens the
    // deployer's address for its run only.
    publicNetworkAccess: isPrivate ? 'Disabled' : 'Enabled'
    delegatedSubnetResourceId: isPrivate ? delegatedSubnetId : ''
    privateDnsZoneArmResourceId: isPrivate ? privateDnsZoneId : ''
    firewallRules: isPrivate ? [] : publicFirewallRules
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
// The server's host name, public or private alike (inside the VNet the linked private DNS zone answers
// it with the private address); the module's fqdn output is nullable.
output host string = '${server.outputs.name}.postgres.database.azure.com'
output databaseName string = databaseName
@description('The port the app connects on: PgBouncer where the tier has it, else the server itself.')
output appPort int = pgBouncer ? 6432 : 5432
@description('Enabled or Disabled: postdeploy opens a firewall rule for its run only when Enabled.')
output publicNetworkAccess string = isPrivate ? 'Disabled' : 'Enabled'
