// Key Vault for the Graph certificate and GRAPH_CLIENT_STATE_KEY: RBAC only (no access policies),
// soft delete and purge protection on. The app reads (Key Vault Secrets User, see rbac.bicep).
param name string
param location string = resourceGroup().location
param tags object = {}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    enablePurgeProtection: true
    // Reached over its public endpoint by Entra-authorised callers only (no VNet on Flex here).
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      bypass: 'AzureServices'
      defaultAction: 'Allow'
    }
  }
}

output name string = vault.name
output resourceId string = vault.id
output uri string = vault.properties.vaultUri
