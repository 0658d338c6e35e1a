// The "Chat backend" workbook: a chart for every metric in src/telemetry/catalogue.ts (npm run lint:infra checks that
// workbook.json names each one), the event lag p95 from the chatEvents spans, and the end-to-end trace of a message.
// Its queries read the Log Analytics workspace behind Application Insights (AppMetrics, AppRequests, AppDependencies,
// AppTraces) with the viewer's own Entra access (e.g. Log Analytics Reader); nothing in it is a key.
//
// The workbook lives in the workspace's Workbooks (sourceId) and in Monitor → Workbooks. Its name must be a GUID; it
// is derived from the resource group, so every provision updates the same workbook.
//
// API version (azure-rest-api-specs, specification/applicationinsights/resource-manager/Microsoft.Insights/stable/):
// workbooks 2023-06-01.

@description('Title of the workbook in the portal.')
param displayName string

@description('Azure region of the workbook (that of the workspace).')
param location string = resourceGroup().location

@description('Tags applied to the workbook.')
param tags object = {}

@description('Name of the Log Analytics workspace behind Application Insights, which the workbook queries.')
param logAnalyticsName string

resource logAnalytics 'Microsoft.OperationalInsights/workspaces@2023-09-01' existing = {
  name: logAnalyticsName
}

resource workbook 'Microsoft.Insights/workbooks@2023-06-01' = {
  name: guid(resourceGroup().id, 'chat-backend-workbook')
  location: location
  tags: tags
  kind: 'shared'
  properties: {
    displayName: displayName
    category: 'workbook'
    version: 'Notebook/1.0'
    sourceId: logAnalytics.id
    // workbook.json names the workspace it queries as __WORKSPACE_ID__.
    serializedData: replace(loadTextContent('./workbook.json'), '__WORKSPACE_ID__', logAnalytics.id)
  }
}

output workbookName string = workbook.name
