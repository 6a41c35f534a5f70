// The operators' dashboard: a shared workbook over the queue figures, Service Bus metrics,
// function failures and webhook latency (content in workbook.json).
param displayName string
param serviceBusNamespaceId string
param applicationInsightsId string
param location string = resourceGroup().location
param tags object = {}

var withServiceBus = replace(loadTextContent('workbook.json'), '__SERVICEBUS_ID__', serviceBusNamespaceId)
var content = replace(withServiceBus, '__APPINSIGHTS_ID__', applicationInsightsId)

resource workbook 'Microsoft.Insights/workbooks@2023-06-01' = {
  name: guid(resourceGroup().id, 'loket-queues-workbook')
  location: location
  tags: tags
  kind: 'shared'
  properties: {
    displayName: displayName
    category: 'workbook'
    sourceId: applicationInsightsId
    serializedData: content
  }
}

output workbookId string = workbook.id
