// ACS chat events for the chatEvents function: an Event Grid system topic on the Communication Services resource,
// a blob container for dead-lettered events, its role assignment, and the definition of the event subscription
// (endpointType AzureFunction: no keys, no webhook URL).
// Event Grid refuses an AzureFunction subscription whose function does not exist yet, and the function only exists
// once `azd deploy` has run and the app has indexed it. So this file does not create the subscription: it computes its
// properties and outputs them with its resource id, azd stores both in the environment, and the postdeploy hook
// (infra/hooks/subscribe-chat-events.mjs) waits for the function and PUTs exactly these properties through the ARM REST
// API with azd's own sign-in. This file stays the one definition of the subscription, and a later `azd provision`
// leaves the subscription alone (it is not a resource here, and deployments are incremental).

@description('Name of the Communication Services resource whose chat events are published.')
param communicationServiceName string

@description('Name of the storage account that receives dead-lettered events.')
param storageAccountName string

@description('Name of the function app that hosts the Event Grid trigger.')
param functionAppName string

@description('Name of the Event Grid trigger (app.eventGrid in src/functions/chat-events.ts).')
param functionName string = 'chatEvents'

@description('Tags applied to the system topic.')
param tags object = {}

// The event types chatEvents handles (src/events/chat-event-schemas.ts, inbox-event-schemas.ts); npm run lint:infra
// keeps the two equal.
var chatEventTypes = [
  'Microsoft.Communication.ChatMessageReceivedInThread'
  'Microsoft.Communication.ChatThreadDeleted'
  'Microsoft.Communication.ChatMessageReceived'
  'Microsoft.Communication.ChatMessageEdited'
  'Microsoft.Communication.ChatMessageDeleted'
  'Microsoft.Communication.ChatThreadCreatedWithUser'
  'Microsoft.Communication.ChatThreadWithUserDeleted'
  'Microsoft.Communication.ChatThreadPropertiesUpdatedPerUser'
  'Microsoft.Communication.ChatParticipantAddedToThreadWithUser'
  'Microsoft.Communication.ChatParticipantRemovedFromThreadWithUser'
  'Microsoft.Communication.ChatMessageEditedInThread'
  'Microsoft.Communication.ChatMessageDeletedInThread'
  'Microsoft.Communication.ChatThreadCreated'
  'Microsoft.Communication.ChatThreadPropertiesUpdated'
  'Microsoft.Communication.ChatThreadParticipantAdded'
  'Microsoft.Communication.ChatThreadParticipantRemoved'
]
var deadLetterContainerName = 'chat-events-deadletter'
var roleIds = {
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe' // Storage Blob Data Contributor
}

resource communicationService 'Microsoft.Communication/communicationServices@2025-09-01' existing = {
  name: communicationServiceName
}

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName

  resource blobServices 'blobServices' existing = {
    name: 'default'

    resource deadLetterContainer 'containers' = {
      name: deadLetterContainerName
      properties: {
        publicAccess: 'None'
      }
    }
  }
}

resource functionApp 'Microsoft.Web/sites@2024-04-01' existing = {
  name: functionAppName
}

resource systemTopic 'Microsoft.EventGrid/systemTopics@2025-02-15' = {
  name: '${communicationServiceName}-events'
  // The ACS resource is global, and so is its system topic.
  location: 'global'
  tags: tags
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    source: communicationService.id
    topicType: 'Microsoft.Communication.CommunicationServices'
  }
}

// Justification: Event Grid writes the events it gives up on as blobs, signing in as the system topic's own identity (deadLetterWithResourceIdentity, no keys); Blob Data Contributor is the smallest built-in role that can write blobs, and it is scoped to the dead-letter container alone.
resource deadLetterWriter 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage::blobServices::deadLetterContainer.id, systemTopic.id, roleIds.storageBlobDataContributor)
  scope: storage::blobServices::deadLetterContainer
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.storageBlobDataContributor)
    principalId: systemTopic.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

var chatEventsSubscriptionName = 'chat-events-to-function'

// The properties of Microsoft.EventGrid/systemTopics/eventSubscriptions@2025-02-15 (the hook uses that api-version).
var chatEventsSubscription = {
  destination: {
    endpointType: 'AzureFunction'
    properties: {
      resourceId: '${functionApp.id}/functions/${functionName}'
      maxEventsPerBatch: 1
      preferredBatchSizeInKilobytes: 64
    }
  }
  filter: {
    includedEventTypes: chatEventTypes
  }
  eventDeliverySchema: 'EventGridSchema'
  // Event Grid's maximum: every handler step is idempotent, so retrying for a day is safe.
  retryPolicy: {
    maxDeliveryAttempts: 30
    eventTimeToLiveInMinutes: 1440
  }
  // Event Grid writes with the topic's identity, which deadLetterWriter lets write to the container.
  deadLetterWithResourceIdentity: {
    identity: {
      type: 'SystemAssigned'
    }
    deadLetterDestination: {
      endpointType: 'StorageBlob'
      properties: {
        resourceId: storage.id
        blobContainerName: deadLetterContainerName
      }
    }
  }
}

output systemTopicName string = systemTopic.name

@description('Resource id of the event subscription the postdeploy hook creates.')
output chatEventsSubscriptionId string = '${systemTopic.id}/eventSubscriptions/${chatEventsSubscriptionName}'

@description('Its properties, as the hook PUTs them.')
output chatEventsSubscriptionProperties object = chatEventsSubscription
