// Azure Web PubSub: the backend pushes chat updates to clients over WebSockets.
// Keyless: access keys are disabled, so the service accepts only Entra ID tokens
// (the app's managed identity, Web PubSub Service Owner in app/rbac.bicep) and
// the client tokens the app obtains for its users from the service's
// :generateToken API. Clients only receive: the hub has no event handlers.

@description('Name of the Web PubSub resource (3-63 letters, digits and hyphens).')
@minLength(3)
@maxLength(63)
param name string

@description('Azure region of the Web PubSub resource.')
param location string = resourceGroup().location

@description('Tags applied to the resource.')
param tags object = {}

// Standard_S1 is the cheapest tier with an SLA: 1,000 concurrent connections and 1,000,000 messages a day included
// per unit. Free_F1 (20 connections, 20,000 messages a day, one unit, no SLA) is for trials only; Premium_P1 adds
// zone redundancy and autoscale. Prices and limits: docs/deploy.md.
@description('SKU of the Web PubSub resource: Free_F1 (trials, no SLA), Standard_S1 or Premium_P1.')
@allowed([
  'Free_F1'
  'Standard_S1'
  'Premium_P1'
])
param skuName string = 'Standard_S1'

@description('Units (1,000 concurrent connections each); Free_F1 takes only 1.')
@allowed([1, 2, 5, 10, 20, 50, 100])
param capacity int = 1

@description('Name of the hub the backend sends to (WEBPUBSUB_HUB): letters, digits and underscores, starting with a letter.')
@minLength(1)
@maxLength(127)
param hubName string = 'chat'

resource webPubSub 'Microsoft.SignalRService/webPubSub@2024-03-01' = {
  name: name
  location: location
  tags: tags
  kind: 'WebPubSub'
  sku: {
    name: skuName
    capacity: capacity
  }
  properties: {
    // No access keys: neither a connection string nor a key-signed token is accepted.
    disableLocalAuth: true
    disableAadAuth: false
    publicNetworkAccess: 'Enabled'
    tls: {
      clientCertEnabled: false
    }
  }

  // Clients connect only with a token from :generateToken; the service calls no upstream.
  resource hub 'hubs' = {
    name: hubName
    properties: {
      anonymousConnectPolicy: 'Deny'
      eventHandlers: []
      eventListeners: []
    }
  }
}

output name string = webPubSub.name
output resourceId string = webPubSub.id
output endpoint string = 'https://${webPubSub.properties.hostName}'
output hubName string = webPubSub::hub.name
