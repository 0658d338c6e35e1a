// The Azure Communication Services resource. The backend reaches it with its
// managed identity (Entra ID); access keys can be switched off entirely.

@description('Name of the Communication Services resource.')
@minLength(1)
@maxLength(63)
param name string

@description('Where ACS stores its data at rest, e.g. "United States", "Europe", "UK", "Australia". Cannot be changed after creation.')
@minLength(1)
param dataLocation string

@description('Disable access-key (HMAC) authentication so that only Entra ID callers reach the data plane.')
param disableLocalAuth bool = true

@description('Put a CanNotDelete lock on the resource, so that neither the app identity nor a Contributor can delete it.')
param lockAgainstDeletion bool = true

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

// The app identity's role (Communication and Email Service Owner) includes deleting this resource, which would take
// every user identity and chat thread with it. It grants no Microsoft.Authorization write, so it cannot remove this
// lock; nor can Contributor. Owners and User Access Administrators can, e.g. before `azd down`.
resource cannotDeleteLock 'Microsoft.Authorization/locks@2020-05-01' = if (lockAgainstDeletion) {
  name: 'cannot-delete'
  scope: communicationService
  properties: {
    level: 'CanNotDelete'
    notes: 'Holds the chat data. The app identity may change this resource but not delete it. Remove before azd down.'
  }
}

output name string = communicationService.name
output resourceId string = communicationService.id
output endpoint string = 'https://${communicationService.properties.hostName}'
output deleteLockId string = lockAgainstDeletion ? cannotDeleteLock.id : ''
