// A user-assigned managed identity: the one identity the function app uses for
// Storage, ACS and Application Insights. Its client id is not a secret.

@description('Name of the user-assigned managed identity.')
param name string

@description('Azure region of the identity.')
param location string = resourceGroup().location

@description('Tags applied to the identity.')
param tags object = {}

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: name
  location: location
  tags: tags
}

output name string = identity.name
output resourceId string = identity.id
output clientId string = identity.properties.clientId
output principalId string = identity.properties.principalId
