// Private access to PostgreSQL (docs/deploy.md, "Network exposure"): one virtual network with
//  - `app`: the Flex Consumption app's VNet integration (delegated to Microsoft.App/environments, as
//    Microsoft's Flex Consumption samples do: functions-quickstart-python-http-azd, infra/app/vnet.bicep);
//  - `postgres`: the PostgreSQL Flexible Server injected into the network (delegated to
//    Microsoft.DBforPostgreSQL/flexibleServers; the server then has no public endpoint);
//  - a private DNS zone linked to the network, so the server's usual host name
//    (<server>.postgres.database.azure.com) resolves to its private address from inside.
// The zone is `<server>.private.postgres.database.azure.com`, the name the portal and CLI give a
// VNet-integrated server: `privatelink.postgres.database.azure.com` belongs to Private Link
// (private endpoints), which Microsoft offers only for servers with public access.
param name string
param location string = resourceGroup().location
param tags object = {}

@description('The PostgreSQL server\'s name: the private DNS zone is named after it.')
param postgresServerName string

param addressPrefix string = '10.40.0.0/16'
@description('Flex Consumption integration subnet; one Flex app per subnet.')
param appSubnetPrefix string = '10.40.0.0/24'
@description('PostgreSQL\'s delegated subnet (no other resource may use it).')
param postgresSubnetPrefix string = '10.40.1.0/24'

var appSubnetName = 'app'
var postgresSubnetName = 'postgres'
var postgresDnsZoneName = '${postgresServerName}.private.postgres.database.azure.com'

resource vnet 'Microsoft.Network/virtualNetworks@2024-05-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    addressSpace: {
      addressPrefixes: [
        addressPrefix
      ]
    }
    subnets: [
      {
        name: appSubnetName
        properties: {
          addressPrefix: appSubnetPrefix
          delegations: [
            {
              name: 'flex-consumption'
              properties: {
                serviceName: 'Microsoft.App/environments'
              }
            }
          ]
        }
      }
      {
        name: postgresSubnetName
        properties: {
          addressPrefix: postgresSubnetPrefix
          delegations: [
            {
              name: 'postgres-flexible-server'
              properties: {
                serviceName: 'Microsoft.DBforPostgreSQL/flexibleServers'
              }
            }
          ]
        }
      }
    ]
  }
}

resource postgresDnsZone 'Microsoft.Network/privateDnsZones@2024-06-01' = {
  name: postgresDnsZoneName
  location: 'global'
  tags: tags
}

resource postgresDnsLink 'Microsoft.Network/privateDnsZones/virtualNetworkLinks@2024-06-01' = {
  parent: postgresDnsZone
  name: '${name}-link'
  location: 'global'
  tags: tags
  properties: {
    registrationEnabled: false
    virtualNetwork: {
      id: vnet.id
    }
  }
}

output name string = vnet.name
output appSubnetId string = resourceId('Microsoft.Network/virtualNetworks/subnets', vnet.name, appSubnetName)
output postgresSubnetId string = resourceId('Microsoft.Network/virtualNetworks/subnets', vnet.name, postgresSubnetName)
output postgresDnsZoneId string = postgresDnsZone.id
