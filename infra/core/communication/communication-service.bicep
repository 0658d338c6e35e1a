// The Azure Communication Services resource. The backend reaches it with its
// managed identity (Entra ID); access keys can be switched off entirely.

@description('Name of the Communication Services resource.')
@minLength(1)
@maxLength(63)
param name string

@description('Where ACS stores its data at rest, e.g. "United States", "Europe", "UK", "Australia". Cannot be changed after creation.')
param dataLocation string

@description('Disable access-key (HMAC) authentication so that only Entra ID callers reach the data plane.')
param disableLocalAuth bool = true

@description('Tags applied to the resource.')
param tags object = {}

resource communicationService 'Microsoft.Communication/communicationServices@2025-09-01' = {
  name: name
  // Communication Services is a global resource; dataLocation decides residency.
  location: 'global'
  tags: tags
  properties: {
    dataLocation: dataLocation
    disableLocalAuth: disableLocalAuth
  }
}

output name string = communicationService.name
output resourceId string = communicationService.id
output endpoint string = 'https://${communicationService.properties.hostName}'
