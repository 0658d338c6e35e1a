// The Azure Communication Services resource. The backend reaches it with its
// managed identity (Entra ID); access keys can be switched off entirely. It sends
// email too (ACS Email, through the same endpoint) from the domains it links.

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

// Learn ("Connect a verified email domain"): a domain must be verified, and in the same geography (dataLocation),
// before it can be linked; the resource can then send email from every sender address of its linked domains.
@description('Resource ids of the email domains (Microsoft.Communication/emailServices/domains) the app may send from.')
param linkedDomains array = []

@description('Tags applied to the resource.')
param tags object = {}

// 2025-09-01: properties.linkedDomains is part of CommunicationServiceProperties in this version (Azure/azure-rest-api-specs,
// specification/communication/resource-manager/Microsoft.Communication/Communication/stable/2025-09-01/openapi.json).
resource communicationService 'Microsoft.Communication/communicationServices@2025-09-01' = {
  name: name
  // Communication Services is a global resource; dataLocation decides residency.
  location: 'global'
  tags: tags
  properties: {
    dataLocation: dataLocation
    disableLocalAuth: disableLocalAuth
    linkedDomains: linkedDomains
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
