// The chat backend: a Flex Consumption plan and a Linux function app on Node 22
// that runs as a user-assigned managed identity. Every app setting is either a
// plain value or an endpoint; none is a key, password or connection string with
// a key in it (Web PubSub included: endpoint and hub, reached with the identity;
// attachments too: the Blob endpoint and a container name, no SAS or key; and
// Content Safety: its endpoint, with the identity; and email: a sender address,
// sent through the ACS endpoint with the identity).

@description('Name of the function app.')
param name string

@description('Name of the Flex Consumption plan.')
param planName string

@description('Azure region of the plan and the app.')
param location string = resourceGroup().location

@description('Tags applied to the plan and the app (the app also gets azd-service-name).')
param tags object = {}

@description('The azd service name in azure.yaml that deploys into this app.')
param serviceName string = 'api'

@description('Resource id of the user-assigned identity the app runs as.')
param identityResourceId string

@description('Client id of that identity (used by DefaultAzureCredential and the Functions host).')
param identityClientId string

@description('Name of the storage account for the host and the app records.')
param storageAccountName string

@description('Blob container for the Flex Consumption deployment package.')
param deploymentContainerName string

@description('Name of the Application Insights component (local auth disabled).')
param applicationInsightsName string

@description('Endpoint of the Communication Services resource.')
param acsEndpoint string

@description('Endpoint of the Web PubSub resource (https://<name>.webpubsub.azure.com).')
param webPubSubEndpoint string

@description('Name of the Web PubSub hub the app sends to.')
param webPubSubHub string

@description('Blob endpoint of the storage account that holds the attachments container (https://<account>.blob.core.windows.net/).')
param attachmentsBlobEndpoint string

@description('Name of the private blob container for attachments.')
param attachmentsContainerName string

@description('Endpoint of the Content Safety account (https://<subdomain>.cognitiveservices.azure.com/).')
param contentSafetyEndpoint string

@description('Address notification emails are sent from (EMAIL_SENDER): DoNotReply@<the linked email domain>.')
param emailSender string

@description('Base URL of the web app that notification emails link to (APP_BASE_URL); empty means the app default.')
param appBaseUrl string = ''

@description('Whether notification emails carry a message preview, true or false (EMAIL_INCLUDE_PREVIEW); empty means the app default.')
param emailIncludePreview string = ''

@description('Whether telemetry names app user ids and thread ids as they are, true or false (TELEMETRY_INCLUDE_USER_IDS); false gives pseudonyms.')
param telemetryIncludeUserIds string = 'false'

@description('Share of request and event traces kept (TELEMETRY_SAMPLING_RATIO); empty means the app default (1).')
param telemetrySamplingRatio string = ''

@description('At most this many traces per second per instance (TELEMETRY_TRACES_PER_SECOND); empty: the ratio decides.')
param telemetryTracesPerSecond string = ''

@description('OIDC issuer of the user tokens (AUTH_ISSUER).')
param authIssuer string

@description('Accepted audience(s) of the user tokens, comma-separated (AUTH_AUDIENCE).')
param authAudience string

@description('Optional JWKS URI; empty means discovered from the issuer (AUTH_JWKS_URI).')
param authJwksUri string = ''

@description('Optional roles-claim value that grants admin rights; empty means the app default (AUTH_ADMIN_ROLE).')
param authAdminRole string = ''

@description('ACS token scopes users may receive, comma-separated; empty means the app default (USER_TOKEN_SCOPES).')
param userTokenScopes string = ''

@description('Content Safety blocklists every message and topic is matched against, comma-separated (create them in the account first, see docs/deploy.md); empty means none.')
param contentSafetyBlocklists string = ''

@description('Per harm category, the severity from which a text is rejected (e.g. Hate=4,Sexual=2); empty means the app default (MODERATION_THRESHOLDS).')
param moderationThresholds string = ''

@description('accept or refuse messages while Content Safety is down or throttling; empty means the app default (accept).')
param moderationWhenUnavailable string = ''

@description('Days the moderation audit trail keeps an entry; empty means the app default (365).')
param moderationAuditDays string = ''

@description('Days a thread may stay idle before the timer prunes it; empty means the app default (THREAD_RETENTION_DAYS).')
param threadRetentionDays string = ''

@description('NCRONTAB schedule of the prune timer; empty means the app default (PRUNE_SCHEDULE).')
param pruneSchedule string = ''

@description('Threads one user may create per hour; empty means the app default (FAIR_USE_THREADS_PER_HOUR).')
param fairUseThreadsPerHour string = ''

@description('Identities one user may cause to be created for others per hour; empty means the app default (FAIR_USE_NEW_IDENTITIES_PER_HOUR).')
param fairUseNewIdentitiesPerHour string = ''

@description('Browser origins allowed to call the API (CORS).')
param corsAllowedOrigins array = []

@description('Memory per instance in MB.')
@allowed([512, 2048, 4096])
param instanceMemoryMB int = 2048

@description('Upper bound on the number of instances.')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 100

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

resource functionApp 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': serviceName })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityResourceId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    siteConfig: {
      minTlsVersion: '1.2'
      cors: {
        allowedOrigins: corsAllowedOrigins
        supportCredentials: false
      }
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityResourceId
          }
        }
      }
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
      }
      runtime: {
        name: 'node'
        version: '22'
      }
    }
  }

  // Names exactly as src/config.ts reads them. Empty optional values count as
  // unset there, so the app falls back to its own defaults.
  resource appSettings 'config' = {
    name: 'appsettings'
    properties: {
      // Functions host storage, identity-based (no AzureWebJobsStorage connection string).
      // Blob only: HTTP, timer and Event Grid triggers need no queues.
      AzureWebJobsStorage__credential: 'managedidentity'
      AzureWebJobsStorage__clientId: identityClientId
      AzureWebJobsStorage__blobServiceUri: storage.properties.primaryEndpoints.blob
      // The app's records live in the same account's Table service.
      AzureWebJobsStorage__tableServiceUri: storage.properties.primaryEndpoints.table
      // DefaultAzureCredential picks the user-assigned identity by this client id.
      AZURE_CLIENT_ID: identityClientId
      ACS_ENDPOINT: acsEndpoint
      // Web PubSub with Entra ID: DefaultAzureCredential (AZURE_CLIENT_ID) signs the REST calls; no connection string.
      WEBPUBSUB_ENDPOINT: webPubSubEndpoint
      WEBPUBSUB_HUB: webPubSubHub
      // Attachments: the app reads and deletes blobs with its identity and hands browsers user delegation SAS links,
      // signed with a key it gets for that identity (Storage Blob Delegator), never with an account key.
      ATTACHMENTS_BLOB_ENDPOINT: attachmentsBlobEndpoint
      ATTACHMENTS_CONTAINER: attachmentsContainerName
      // Content Safety with Entra ID: the account's own (custom subdomain) endpoint and DefaultAzureCredential; its keys
      // are disabled, so there is no key to set.
      CONTENT_SAFETY_ENDPOINT: contentSafetyEndpoint
      // Email goes through ACS_ENDPOINT with the same identity (ACS Email has no endpoint or key of its own here); the
      // sender is an address of a domain the ACS resource links, taken from that domain, never written by hand.
      EMAIL_SENDER: emailSender
      APP_BASE_URL: appBaseUrl
      EMAIL_INCLUDE_PREVIEW: emailIncludePreview
      // The connection string names the component; with local auth disabled it is
      // useless without the Entra token that the authentication string requests.
      APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsights.properties.ConnectionString
      APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
      // false (default): telemetry names users and threads by pseudonyms (src/telemetry/pseudonyms.ts); true: by their ids.
      TELEMETRY_INCLUDE_USER_IDS: telemetryIncludeUserIds
      TELEMETRY_SAMPLING_RATIO: telemetrySamplingRatio
      TELEMETRY_TRACES_PER_SECOND: telemetryTracesPerSecond
      AUTH_ISSUER: authIssuer
      AUTH_AUDIENCE: authAudience
      AUTH_JWKS_URI: authJwksUri
      AUTH_ADMIN_ROLE: authAdminRole
      USER_TOKEN_SCOPES: userTokenScopes
      THREAD_RETENTION_DAYS: threadRetentionDays
      PRUNE_SCHEDULE: pruneSchedule
      FAIR_USE_THREADS_PER_HOUR: fairUseThreadsPerHour
      FAIR_USE_NEW_IDENTITIES_PER_HOUR: fairUseNewIdentitiesPerHour
      CONTENT_SAFETY_BLOCKLISTS: contentSafetyBlocklists
      MODERATION_THRESHOLDS: moderationThresholds
      MODERATION_WHEN_UNAVAILABLE: moderationWhenUnavailable
      MODERATION_AUDIT_DAYS: moderationAuditDays
    }
  }
}

output name string = functionApp.name
output uri string = 'https://${functionApp.properties.defaultHostName}'
