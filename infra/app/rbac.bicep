// Role assignments, least privilege, each scoped to the single resource it is for.
// Role definition ids are Azure built-in roles
// (https://learn.microsoft.com/azure/role-based-access-control/built-in-roles);
// scripts/lint-infra checks each id against its documented name.

@description('Name of the storage account (host storage, app records and attachments).')
param storageAccountName string

@description('Name of the private blob container for attachments, in that account.')
param attachmentsContainerName string

@description('Name of the Application Insights component.')
param applicationInsightsName string

@description('Name of the Communication Services resource.')
param communicationServiceName string

@description('Name of the Web PubSub resource.')
param webPubSubName string

@description('Name of the Content Safety account.')
param contentSafetyName string

@description('Principal (object) id of the app\'s user-assigned managed identity.')
param appPrincipalId string

@description('Object id of a developer who runs the app locally against this environment (main.bicep passes AZURE_PRINCIPAL_ID only when allowUserIdentityPrincipal is on); empty skips the developer assignments.')
param developerPrincipalId string = ''

var roleIds = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b' // Storage Blob Data Owner
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe' // Storage Blob Data Contributor
  storageBlobDelegator: 'db58b8e5-c6ad-4a2a-8342-4190687cbf4a' // Storage Blob Delegator
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3' // Storage Table Data Contributor
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb' // Monitoring Metrics Publisher
  communicationAndEmailServiceOwner: '09976791-48a7-449e-bb21-39d1a415f350' // Communication and Email Service Owner
  webPubSubServiceOwner: '12cf5a90-567b-43ae-8102-96cf46c7d9b4' // Web PubSub Service Owner
  cognitiveServicesUser: 'a97b65f3-24c7-4388-baec-2e87135dc908' // Cognitive Services User
}

var grantDeveloper = !empty(developerPrincipalId)

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName

  resource blobServices 'blobServices' existing = {
    name: 'default'

    resource attachmentsContainer 'containers' existing = {
      name: attachmentsContainerName
    }
  }
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource communicationService 'Microsoft.Communication/communicationServices@2025-09-01' existing = {
  name: communicationServiceName
}

resource webPubSub 'Microsoft.SignalRService/webPubSub@2024-03-01' existing = {
  name: webPubSubName
}

resource contentSafety 'Microsoft.CognitiveServices/accounts@2024-10-01' existing = {
  name: contentSafetyName
}

// Justification: the Functions host keeps leases, keys and timer state in blobs and Flex Consumption reads the deployment package with this identity; Microsoft documents Blob Data Owner for identity-based AzureWebJobsStorage. It is also the role that lets the app write blob index tags (attachments' claimed tag), which Blob Data Contributor lacks.
resource appBlobDataOwner 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, appPrincipalId, roleIds.storageBlobDataOwner)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.storageBlobDataOwner)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// Justification: the app creates its tables and reads/writes identity maps, thread records and idempotency rows; Table Data Contributor is the smallest role with table create and entity read/write/delete.
resource appTableDataContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, appPrincipalId, roleIds.storageTableDataContributor)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.storageTableDataContributor)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// The host's Blob Data Owner above covers this today; the attachments roles say what attachments need on their own,
// so that narrowing the host's role to its own containers leaves attachments working (but for tag writes: see above).
// Justification: the app checks, reads and deletes attachment blobs, and the upload and download links it signs can grant no more than it holds itself; Blob Data Contributor is the smallest built-in role with blob read, write and delete, scoped to the attachments container alone.
resource appAttachmentsContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage::blobServices::attachmentsContainer.id, appPrincipalId, roleIds.storageBlobDataContributor)
  scope: storage::blobServices::attachmentsContainer
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.storageBlobDataContributor)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// Get User Delegation Key acts on the whole Blob service, so Microsoft requires its action
// (Microsoft.Storage/storageAccounts/blobServices/generateUserDelegationKey/action) at the storage account, resource
// group or subscription: the container-scoped Blob Data Contributor above, though its definition lists the action,
// cannot get a key. Learn, "Create a user delegation SAS", section "Assign permissions with RBAC":
// https://learn.microsoft.com/rest/api/storageservices/create-user-delegation-sas#assign-permissions-with-rbac
// Justification: the app signs attachment links with a user delegation key (no account key: shared keys are disabled); Storage Blob Delegator holds only the action that gets one and no data access, on this one account.
resource appBlobDelegator 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, appPrincipalId, roleIds.storageBlobDelegator)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.storageBlobDelegator)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// Justification: Application Insights has local auth disabled, so the host must publish telemetry with an Entra token, which requires Monitoring Metrics Publisher on the component.
resource appMetricsPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(applicationInsights.id, appPrincipalId, roleIds.monitoringMetricsPublisher)
  scope: applicationInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.monitoringMetricsPublisher)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// It also covers email: ACS Email is called at this resource's endpoint, and Learn names this role on the ACS resource for
// Entra ID senders ("Send email with SMTP: SMTP authentication"); Microsoft's SendEmailWithManagedIdentity sample asks
// for Contributor or a custom role with Microsoft.Communication/CommunicationServices/Read and /Write on it, which this
// role includes. No role on the Email Communication Service is needed to send.
// Justification: ACS has no data-plane-only built-in role; Entra callers of the Identity API (create users, issue and revoke tokens) and of the Email API (send, get status) need a role on the resource. This is the narrowest built-in one, but it also lets the identity change or delete the resource and list or regenerate its keys: scoped to this one resource, which a CanNotDelete lock protects (docs/deploy.md).
resource appCommunicationOwner 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(communicationService.id, appPrincipalId, roleIds.communicationAndEmailServiceOwner)
  scope: communicationService
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.communicationAndEmailServiceOwner)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// Justification: with access keys disabled, the app needs a data-plane role to send to its hub and to get client tokens (:generateToken); Web PubSub Service Owner is the only built-in role with both, data actions only (no control-plane or key actions).
resource appWebPubSubOwner 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(webPubSub.id, appPrincipalId, roleIds.webPubSubServiceOwner)
  scope: webPubSub
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.webPubSubServiceOwner)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// Justification: with key access disabled, the app needs a data-plane role to analyze text and manage blocklists with Entra ID; Cognitive Services User is the built-in role Microsoft documents for that (data actions Microsoft.CognitiveServices/*; its listkeys action is moot with keys disabled), on this one account.
resource appContentSafetyUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(contentSafety.id, appPrincipalId, roleIds.cognitiveServicesUser)
  scope: contentSafety
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.cognitiveServicesUser)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// Justification: opt-in (allowUserIdentityPrincipal) so a developer can run the Functions host locally (func start) against the deployed host storage, as the app identity does.
resource developerBlobDataOwner 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (grantDeveloper) {
  name: guid(storage.id, developerPrincipalId, roleIds.storageBlobDataOwner)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.storageBlobDataOwner)
    principalId: developerPrincipalId
  }
}

// Justification: opt-in (allowUserIdentityPrincipal) so a developer can run the app locally against the deployed attachments container, as the app identity does.
resource developerAttachmentsContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (grantDeveloper) {
  name: guid(storage::blobServices::attachmentsContainer.id, developerPrincipalId, roleIds.storageBlobDataContributor)
  scope: storage::blobServices::attachmentsContainer
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.storageBlobDataContributor)
    principalId: developerPrincipalId
  }
}

// Justification: opt-in (allowUserIdentityPrincipal) so an app run locally can sign attachment links with a user delegation key for the developer's identity; account scope, as for the app identity.
resource developerBlobDelegator 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (grantDeveloper) {
  name: guid(storage.id, developerPrincipalId, roleIds.storageBlobDelegator)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.storageBlobDelegator)
    principalId: developerPrincipalId
  }
}

// Justification: opt-in (allowUserIdentityPrincipal) so a developer can run the app locally against the deployed tables.
resource developerTableDataContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (grantDeveloper) {
  name: guid(storage.id, developerPrincipalId, roleIds.storageTableDataContributor)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.storageTableDataContributor)
    principalId: developerPrincipalId
  }
}

// Justification: opt-in (allowUserIdentityPrincipal) so a developer can run the app locally against the deployed ACS resource with az/azd sign-in instead of an access key.
resource developerCommunicationOwner 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (grantDeveloper) {
  name: guid(communicationService.id, developerPrincipalId, roleIds.communicationAndEmailServiceOwner)
  scope: communicationService
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.communicationAndEmailServiceOwner)
    principalId: developerPrincipalId
  }
}

// Justification: opt-in (allowUserIdentityPrincipal) so a developer can run the app locally against the deployed Web PubSub resource with az/azd sign-in (its access keys are disabled).
resource developerWebPubSubOwner 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (grantDeveloper) {
  name: guid(webPubSub.id, developerPrincipalId, roleIds.webPubSubServiceOwner)
  scope: webPubSub
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.webPubSubServiceOwner)
    principalId: developerPrincipalId
  }
}

// Justification: opt-in (allowUserIdentityPrincipal) so a developer can run the app locally against the deployed Content Safety account with az/azd sign-in (its keys are disabled).
resource developerContentSafetyUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (grantDeveloper) {
  name: guid(contentSafety.id, developerPrincipalId, roleIds.cognitiveServicesUser)
  scope: contentSafety
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.cognitiveServicesUser)
    principalId: developerPrincipalId
  }
}
