// Azure AI Document Intelligence (prebuilt-read) for image-only scanned letters: the Functions host
// has no Tesseract. Entra only (local auth off); the app's identity gets Cognitive Services User, so
// DOCUMENT_INTELLIGENCE_ENDPOINT works without a key or a manual step.
param name string
param location string = resourceGroup().location
param tags object = {}
param appPrincipalId string

@allowed([
  'F0'
  'S0'
])
@description('S0: pay per page. F0 (free, 500 pages a month, one per subscription) for trials.')
param sku string = 'S0'

var cognitiveServicesUser = 'a97b65f3-24c7-4388-baec-2e87135dc908'

resource account 'Microsoft.CognitiveServices/accounts@2024-10-01' = {
  name: name
  location: location
  tags: tags
  kind: 'FormRecognizer'
  sku: {
    name: sku
  }
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    // Entra tokens need a custom subdomain endpoint (https://<name>.cognitiveservices.azure.com/).
    customSubDomainName: name
    disableLocalAuth: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
    }
  }
}

resource appReads 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(account.id, appPrincipalId, cognitiveServicesUser)
  scope: account
  properties: {
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', cognitiveServicesUser)
  }
}

output endpoint string = account.properties.endpoint
output name string = account.name
