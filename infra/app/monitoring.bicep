// Log Analytics + workspace-based Application Insights (Entra ingestion only, IP addresses masked).
param logAnalyticsName string
param applicationInsightsName string
param location string = resourceGroup().location
param tags object = {}

@description('Days the logs are kept; they carry ids and hashed source ids, never mail or letter text.')
param retentionInDays int = 30

module logAnalytics 'br/public:avm/res/operational-insights/workspace:0.16.1' = {
  name: 'loganalytics'
  params: {
    name: logAnalyticsName
    location: location
    tags: tags
    dataRetention: retentionInDays
    forceCmkForQuery: false
  }
}

module appInsights 'br/public:avm/res/insights/component:0.8.0' = {
  name: 'appinsights'
  params: {
    name: applicationInsightsName
    location: location
    tags: tags
    workspaceResourceId: logAnalytics.outputs.resourceId
    disableLocalAuth: true
    disableIpMasking: false
    retentionInDays: retentionInDays
  }
}

output logAnalyticsWorkspaceId string = logAnalytics.outputs.resourceId
output applicationInsightsId string = appInsights.outputs.resourceId
output applicationInsightsName string = appInsights.outputs.name
output connectionString string = appInsights.outputs.connectionString
