// Entry point for `azd provision`: one resource group holding the chat backend.
// Nothing here reads a key or outputs a secret; the app reaches Storage, ACS
// (chat and email), Web PubSub, Content Safety and Application Insights with its
// user-assigned managed identity.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('Name of the azd environment; seeds the resource token and tags every resource.')
param environmentName string

// Regions that offer Flex Consumption, so that a wrong region fails before anything is created. Taken from the list in
// Microsoft's Flex Consumption azd quickstarts (Azure-Samples/functions-quickstart-typescript-azd, infra/main.bicep,
// 2026-02) less its canary region eastus2euap, which ordinary subscriptions cannot use. Check a region with
// `az functionapp list-flexconsumption-locations -o table` or on Learn ("View currently supported regions",
// https://learn.microsoft.com/azure/azure-functions/flex-consumption-how-to#view-currently-supported-regions); add
// one that is missing here.
@minLength(1)
@description('Azure region of the resource group and every regional resource (must offer Flex Consumption).')
@allowed([
  'australiaeast'
  'australiasoutheast'
  'brazilsouth'
  'canadacentral'
  'centralindia'
  'centralus'
  'eastasia'
  'eastus'
  'eastus2'
  'francecentral'
  'germanywestcentral'
  'italynorth'
  'japaneast'
  'koreacentral'
  'northcentralus'
  'northeurope'
  'norwayeast'
  'southafricanorth'
  'southcentralus'
  'southeastasia'
  'southindia'
  'spaincentral'
  'swedencentral'
  'uaenorth'
  'uksouth'
  'ukwest'
  'westcentralus'
  'westeurope'
  'westus'
  'westus2'
  'westus3'
])
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

// main.parameters.json repeats this default (${ACS_DATA_LOCATION=United States}): azd passes an unset variable as an
// empty string, not as "use the Bicep default", and an empty dataLocation fails. npm run lint:infra checks the pair.
@minLength(1)
@description('Where ACS stores data at rest, e.g. "United States", "Europe", "UK". Fixed once created.')
param acsDataLocation string = 'United States'

@description('Turn off ACS access keys so only Entra ID callers get in.')
param acsDisableLocalAuth bool = true

@description('Put a CanNotDelete lock on the ACS resource (needs Microsoft.Authorization/locks/write: Owner or User Access Administrator). Remove it before azd down.')
param acsDeleteLock bool = true

// main.parameters.json repeats this default (${EMAIL_SENDER_DISPLAY_NAME=DoNotReply}), as for acsDataLocation.
@minLength(1)
@description('Display name recipients see next to the address of notification emails (EMAIL_SENDER_DISPLAY_NAME).')
param emailSenderDisplayName string = 'DoNotReply'

@description('A domain you own to send notification emails from (e.g. notify.example.com); empty sends from the Azure-managed domain only. docs/deploy.md, "Moving to your own domain".')
param emailCustomDomain string = ''

@description('Link emailCustomDomain to ACS and send from it (EMAIL_SENDER); turn on only once its DNS records are verified.')
param emailUseCustomDomain bool = false

@description('Base URL of your web app, which notification emails link to (APP_BASE_URL); empty means the app\'s default.')
param appBaseUrl string = ''

@description('true or false: whether notification emails carry a short preview of the messages; empty means the app default (EMAIL_INCLUDE_PREVIEW).')
param emailIncludePreview string = ''

// main.parameters.json repeats this default (${TELEMETRY_INCLUDE_USER_IDS=false}), as for acsDataLocation.
@description('true puts app user ids and thread ids in spans as they are; false (default) only pseudonyms (TELEMETRY_INCLUDE_USER_IDS).')
@allowed([
  'true'
  'false'
])
param telemetryIncludeUserIds string = 'false'

@description('Share of request and event traces kept, above 0 and at most 1 (TELEMETRY_SAMPLING_RATIO); empty means the app default, 1 (all). Timer runs are always kept; metrics count everything.')
param telemetrySamplingRatio string = ''

@description('Instead of the ratio: at most this many traces per second per instance (TELEMETRY_TRACES_PER_SECOND); empty keeps every trace (or the ratio).')
param telemetryTracesPerSecond string = ''

// main.parameters.json repeats this default (${WEBPUBSUB_SKU=Standard_S1}), as for acsDataLocation. Standard_S1 is the
// cheapest tier with an SLA; Free_F1 suits a throw-away environment (docs/deploy.md compares the tiers).
@description('Web PubSub SKU: Free_F1 (20 connections, no SLA), Standard_S1 or Premium_P1 (zone redundancy, autoscale).')
@allowed([
  'Free_F1'
  'Standard_S1'
  'Premium_P1'
])
param webPubSubSku string = 'Standard_S1'

@description('Web PubSub units, 1,000 concurrent connections each (Free_F1: 1).')
@allowed([1, 2, 5, 10, 20, 50, 100])
param webPubSubCapacity int = 1

@minLength(1)
@maxLength(127)
@description('Name of the Web PubSub hub the backend sends to (WEBPUBSUB_HUB): letters, digits and underscores, starting with a letter.')
param webPubSubHubName string = 'chat'

// main.parameters.json repeats this default (${CONTENT_SAFETY_SKU=S0}), as for webPubSubSku. S0 is billed per text
// record; F0 is free but capped each month, and a subscription may hold only one F0 account of this kind
// (docs/deploy.md, "Content Safety").
@description('Content Safety SKU: S0 (pay per 1,000 text records) or F0 (free, monthly limit, one per subscription).')
@allowed([
  'F0'
  'S0'
])
param contentSafetySku string = 'S0'

// Content Safety is not offered in every Flex Consumption region (neither in australiasoutheast, centralindia,
// eastasia, northeurope, norwayeast, ukwest nor westcentralus, by Learn's table "Availability for guardrails in Azure AI
// Content Safety", content harms and blocklists, https://learn.microsoft.com/azure/ai-services/content-safety/region-availability,
// 2026-09). Empty puts the account in `location`; in one of those regions, name a nearby region from this list (text
// is then processed there). Add a region here when Learn lists it.
@description('Region of the Content Safety account; empty means the environment\'s location (which must then offer Content Safety).')
@allowed([
  ''
  'australiaeast'
  'brazilsouth'
  'canadacentral'
  'canadaeast'
  'centralus'
  'eastus'
  'eastus2'
  'francecentral'
  'germanywestcentral'
  'italynorth'
  'japaneast'
  'koreacentral'
  'northcentralus'
  'polandcentral'
  'southafricanorth'
  'southcentralus'
  'southeastasia'
  'southindia'
  'spaincentral'
  'swedencentral'
  'switzerlandnorth'
  'switzerlandwest'
  'uaenorth'
  'uksouth'
  'westeurope'
  'westus'
  'westus2'
  'westus3'
])
param contentSafetyLocation string = ''

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

@description('Threads one user may create per hour; empty means the app default (FAIR_USE_THREADS_PER_HOUR).')
param fairUseThreadsPerHour string = ''

@description('Identities one user may cause to be created for others per hour; empty means the app default (FAIR_USE_NEW_IDENTITIES_PER_HOUR).')
param fairUseNewIdentitiesPerHour string = ''

@description('Content Safety blocklists every message and topic is matched against, comma-separated (create them in the account first, see docs/deploy.md); empty means none.')
param contentSafetyBlocklists string = ''

@description('Per harm category, the severity from which a text is rejected (e.g. Hate=4,Sexual=2); empty means the app default (MODERATION_THRESHOLDS).')
param moderationThresholds string = ''

@description('accept or refuse messages while Content Safety is down or throttling; empty means the app default (accept).')
param moderationWhenUnavailable string = ''

@description('Days the moderation audit trail keeps an entry; empty means the app default (365).')
param moderationAuditDays string = ''

@description('Browser origins allowed to call the API and to upload attachments to Blob Storage, comma-separated (CORS). Empty allows none.')
param corsAllowedOrigins string = ''

@description('Object id of the deploying user or service principal (azd sets AZURE_PRINCIPAL_ID on every run).')
param principalId string = ''

@description('Grant principalId the data roles the app has (Storage blobs, attachments and tables, ACS, Web PubSub, Content Safety), to run it locally against this environment. Off unless asked for.')
param allowUserIdentityPrincipal bool = false

@description('Address the alert rules email (ALERT_EMAIL); empty creates the action group with no receiver, so alerts fire in the portal only.')
param alertEmail string = ''

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
    // The API's CORS origins, so that the same web pages may upload attachments straight to Blob Storage.
    attachmentsCorsOrigins: corsOrigins
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

// Email for away notifications: the Email Communication Service and its domains, which the ACS resource links.
module email './core/communication/email.bicep' = {
  name: 'email'
  scope: rg
  params: {
    name: '${abbrs.communicationEmailServices}${resourceToken}'
    // Learn: a domain can be linked only to an ACS resource in the same geography.
    dataLocation: acsDataLocation
    senderDisplayName: emailSenderDisplayName
    customDomainName: emailCustomDomain
    useCustomDomain: emailUseCustomDomain
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
    lockAgainstDeletion: acsDeleteLock
    linkedDomains: email.outputs.linkedDomainIds
    tags: tags
  }
}

module webPubSub './core/webpubsub/webpubsub.bicep' = {
  name: 'webPubSub'
  scope: rg
  params: {
    name: '${abbrs.signalRServiceWebPubSub}${resourceToken}'
    location: location
    tags: tags
    skuName: webPubSubSku
    capacity: webPubSubCapacity
    hubName: webPubSubHubName
  }
}

module contentSafety './core/ai/content-safety.bicep' = {
  name: 'contentSafety'
  scope: rg
  params: {
    name: '${abbrs.cognitiveServicesContentSafety}${resourceToken}'
    location: empty(contentSafetyLocation) ? location : contentSafetyLocation
    tags: tags
    skuName: contentSafetySku
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
    webPubSubEndpoint: webPubSub.outputs.endpoint
    webPubSubHub: webPubSub.outputs.hubName
    attachmentsBlobEndpoint: storage.outputs.blobEndpoint
    attachmentsContainerName: storage.outputs.attachmentsContainerName
    contentSafetyEndpoint: contentSafety.outputs.endpoint
    emailSender: email.outputs.senderAddress
    appBaseUrl: appBaseUrl
    emailIncludePreview: emailIncludePreview
    telemetryIncludeUserIds: telemetryIncludeUserIds
    telemetrySamplingRatio: telemetrySamplingRatio
    telemetryTracesPerSecond: telemetryTracesPerSecond
    authIssuer: authIssuer
    authAudience: authAudience
    authJwksUri: authJwksUri
    authAdminRole: authAdminRole
    userTokenScopes: userTokenScopes
    threadRetentionDays: threadRetentionDays
    contentSafetyBlocklists: contentSafetyBlocklists
    moderationThresholds: moderationThresholds
    moderationWhenUnavailable: moderationWhenUnavailable
    moderationAuditDays: moderationAuditDays
    pruneSchedule: pruneSchedule
    fairUseThreadsPerHour: fairUseThreadsPerHour
    fairUseNewIdentitiesPerHour: fairUseNewIdentitiesPerHour
    corsAllowedOrigins: corsOrigins
  }
}

// Chat events: the system topic, dead-letter container and role now; the subscription after `azd deploy`, by the
// postdeploy hook, from the CHAT_EVENTS_SUBSCRIPTION_* outputs below (see the module).
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

// Alert rules and their action group; each rule has a runbook entry in docs/operations.md.
module alerts './core/monitor/alerts.bicep' = {
  name: 'alerts'
  scope: rg
  params: {
    namePrefix: resourceToken
    location: location
    tags: tags
    alertEmail: alertEmail
    logAnalyticsName: monitoring.outputs.logAnalyticsName
    eventGridSystemTopicName: chatEvents.outputs.systemTopicName
  }
}

// The "Chat backend" workbook: the chat metrics and the trace of a message, read from the same workspace.
module workbook './core/monitor/workbook.bicep' = {
  name: 'workbook'
  scope: rg
  params: {
    displayName: 'Chat backend (${environmentName})'
    location: location
    tags: tags
    logAnalyticsName: monitoring.outputs.logAnalyticsName
  }
}

module rbac './app/rbac.bicep' = {
  name: 'rbac'
  scope: rg
  params: {
    storageAccountName: storage.outputs.name
    attachmentsContainerName: storage.outputs.attachmentsContainerName
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    communicationServiceName: communication.outputs.name
    webPubSubName: webPubSub.outputs.name
    contentSafetyName: contentSafety.outputs.name
    appPrincipalId: apiIdentity.outputs.principalId
    developerPrincipalId: allowUserIdentityPrincipal ? principalId : ''
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
// Empty when acsDeleteLock is off. `az lock delete --ids "$(azd env get-value ACS_DELETE_LOCK_ID)"` before azd down.
output ACS_DELETE_LOCK_ID string = communication.outputs.deleteLockId
// Endpoint and hub only: Web PubSub has access keys disabled and no key is ever read.
output WEBPUBSUB_ENDPOINT string = webPubSub.outputs.endpoint
output WEBPUBSUB_HUB string = webPubSub.outputs.hubName
// Attachments: the Blob endpoint (reached with the identity) and the container name; no key, no SAS.
output ATTACHMENTS_BLOB_ENDPOINT string = storage.outputs.blobEndpoint
output ATTACHMENTS_CONTAINER string = storage.outputs.attachmentsContainerName
// Content Safety: the endpoint only (https://<subdomain>.cognitiveservices.azure.com/); its keys are disabled.
output CONTENT_SAFETY_ENDPOINT string = contentSafety.outputs.endpoint
// Email: the sender address (DoNotReply@<domain>) the app sends from through ACS_ENDPOINT; no key. The email service's
// name, and the DNS records a custom domain (EMAIL_CUSTOM_DOMAIN) needs: public values, not secrets.
output EMAIL_SENDER string = email.outputs.senderAddress
output AZURE_EMAIL_SERVICE_NAME string = email.outputs.name
output EMAIL_CUSTOM_DOMAIN_RECORDS object = email.outputs.customDomainVerificationRecords
// Echoed so that values azd prompted for also land in the environment (.env) for the hook and the next provision.
output AUTH_ISSUER string = authIssuer
output AUTH_AUDIENCE string = authAudience
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output AZURE_STORAGE_BLOB_ENDPOINT string = storage.outputs.blobEndpoint
output AZURE_STORAGE_TABLE_ENDPOINT string = storage.outputs.tableEndpoint
// The event subscription infra/hooks/subscribe-chat-events.mjs creates after `azd deploy`: its id and properties.
output CHAT_EVENTS_SUBSCRIPTION_ID string = chatEvents.outputs.chatEventsSubscriptionId
output CHAT_EVENTS_SUBSCRIPTION_PROPERTIES object = chatEvents.outputs.chatEventsSubscriptionProperties
