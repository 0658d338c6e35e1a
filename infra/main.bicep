// Entry point for `azd provision`: one resource group holding the chat backend.
// Nothing here reads a key or outputs a secret; the app reaches Storage, ACS and
// Application Insights with its user-assigned managed identity.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('Name of the azd environment; seeds the resource token and tags every resource.')
param environmentName string

@minLength(1)
@description('Azure region of the resource group and every regional resource (must offer Flex Consumption).')
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

@description('Where ACS stores data at rest, e.g. "United States", "Europe", "UK". Fixed once created.')
param acsDataLocation string = 'United States'

@description('Turn off ACS access keys so only Entra ID callers get in.')
param acsDisableLocalAuth bool = true

@minLength(1)
@description('OIDC issuer of the user tokens the API accepts (AUTH_ISSUER).')
param authIssuer string

@minLength(1)
@description('Audience(s) the user tokens must carry, comma-separated (AUTH_AUDIENCE).')
param authAudience string

@description('Optional JWKS URI; empty means discovered from the issuer (AUTH_JWKS_URI).')
param authJwksUri string = ''

@description('Optional roles-claim value for admins; empty means the app default (AUTH_ADMIN_ROLE).')
param authAdminRole string = ''

@description('ACS token scopes users may receive, comma-separated; empty means the app default (USER_TOKEN_SCOPES).')
param userTokenScopes string = ''

@description('Days a thread may stay idle before it is pruned; empty means the app default (THREAD_RETENTION_DAYS).')
param threadRetentionDays string = ''

@description('NCRONTAB schedule of the prune timer; empty means the app default (PRUNE_SCHEDULE).')
param pruneSchedule string = ''

@description('Browser origins allowed to call the API, comma-separated (CORS). Empty allows none.')
param corsAllowedOrigins string = ''

@description('Object id of the deploying user; gets data roles to run the app locally against Azure. Empty skips them.')
param principalId string = ''

@description('Optional override of the resource group name.')
param resourceGroupName string = ''

var abbrs = loadJsonContent('./abbreviations.json')
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
}
var functionAppName = '${abbrs.webSitesFunctions}api-${resourceToken}'
var deploymentContainerName = 'app-package-${take(functionAppName, 32)}-${take(resourceToken, 7)}'
var corsOrigins = filter(map(split(corsAllowedOrigins, ','), origin => trim(origin)), origin => !empty(origin))

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: !empty(resourceGroupName) ? resourceGroupName : '${abbrs.resourcesResourceGroups}${environmentName}'
  location: location
  tags: tags
}

module apiIdentity './core/identity/user-assigned-identity.bicep' = {
  name: 'apiIdentity'
  scope: rg
  params: {
    name: '${abbrs.managedIdentityUserAssignedIdentities}api-${resourceToken}'
    location: location
    tags: tags
  }
}

module storage './core/storage/storage-account.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: '${abbrs.storageStorageAccounts}${resourceToken}'
    location: location
    tags: tags
    deploymentContainerName: deploymentContainerName
  }
}

module monitoring './core/monitor/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    logAnalyticsName: '${abbrs.operationalInsightsWorkspaces}${resourceToken}'
    applicationInsightsName: '${abbrs.insightsComponents}${resourceToken}'
    location: location
    tags: tags
  }
}

module communication './core/communication/communication-service.bicep' = {
  name: 'communication'
  scope: rg
  params: {
    name: '${abbrs.communicationCommunicationServices}${resourceToken}'
    dataLocation: acsDataLocation
    disableLocalAuth: acsDisableLocalAuth
    tags: tags
  }
}

module api './app/api.bicep' = {
  name: 'api'
  scope: rg
  params: {
    name: functionAppName
    planName: '${abbrs.webServerFarms}${resourceToken}'
    location: location
    tags: tags
    identityResourceId: apiIdentity.outputs.resourceId
    identityClientId: apiIdentity.outputs.clientId
    storageAccountName: storage.outputs.name
    deploymentContainerName: deploymentContainerName
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    acsEndpoint: communication.outputs.endpoint
    authIssuer: authIssuer
    authAudience: authAudience
    authJwksUri: authJwksUri
    authAdminRole: authAdminRole
    userTokenScopes: userTokenScopes
    threadRetentionDays: threadRetentionDays
    pruneSchedule: pruneSchedule
    corsAllowedOrigins: corsOrigins
  }
}

// Chat events: the system topic now, the subscription after `azd deploy` (postdeploy hook; see the module).
module chatEvents './app/eventgrid.bicep' = {
  name: 'chatEvents'
  scope: rg
  params: {
    communicationServiceName: communication.outputs.name
    storageAccountName: storage.outputs.name
    functionAppName: api.outputs.name
    tags: tags
  }
}

module rbac './app/rbac.bicep' = {
  name: 'rbac'
  scope: rg
  params: {
    storageAccountName: storage.outputs.name
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    communicationServiceName: communication.outputs.name
    appPrincipalId: apiIdentity.outputs.principalId
    developerPrincipalId: principalId
  }
}

// Read by azd and by infra/hooks/write-local-settings.mjs. Names and endpoints only.
output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = api.outputs.name
output SERVICE_API_NAME string = api.outputs.name
output SERVICE_API_URI string = api.outputs.uri
output ACS_ENDPOINT string = communication.outputs.endpoint
// Echoed so that values azd prompted for also land in the environment (.env) for the hook and the next provision.
output AUTH_ISSUER string = authIssuer
output AUTH_AUDIENCE string = authAudience
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output AZURE_STORAGE_BLOB_ENDPOINT string = storage.outputs.blobEndpoint
output AZURE_STORAGE_TABLE_ENDPOINT string = storage.outputs.tableEndpoint
